#!/usr/bin/env python3
"""The soak's report: reconciliation, flatness of RSS and fds, and both over time (markdown on stdout).

usage: soak-report.py SERVER BURST_JSON SAMPLES_CSV SERVER_JSON SERVER_CONNACKS COMMAND MACHINE
Exit 1 when a check fails: an attempt unaccounted for, a CONNACK count that disagrees beyond what was in flight at
the stop, any failed attempt, or RSS/fds of a side whose last-quarter mean is more than 5% over its second quarter's.
"""
import csv, json, sys
from collections import defaultdict

server, burst_json, samples_csv, server_json, server_connacks, command, machine = sys.argv[1:8]
ok = True


def check(cond, text):
    global ok
    ok &= bool(cond)
    print(f"- {'ok' if cond else 'FAILED'}: {text}")


try:
    d = json.load(open(burst_json))
except Exception as e:
    print(f"## Soak against {server}: burst wrote no results ({e})")
    sys.exit(1)
c = d["counts"]
other = c.get("other", {})
failed = sum(c.get("failed", {}).values())
in_flight = other.get("abandonedAtEnd", 0)
print(f"## Soak: reconnect cycles against {server} ({machine})\n")
print(f"Command: `{command}`; outcome {d['outcome']}, {d['startedAt']} to {d['endedAt']}\n")
print(f"Attempted {c['attempted']:,}, CONNACKs {c['connacks']:,}, failed {failed:,} "
      f"({', '.join(f'{k} {v}' for k, v in c.get('failed', {}).items()) or 'none'}), in flight at the stop {in_flight:,}, "
      f"disconnected by the server {other.get('disconnectedByServer', 0):,}, keepalive lost {other.get('keepaliveLost', 0):,}; "
      f"total latency p50 {d['latency']['total']['p50']:.1f} ms, p99 {d['latency']['total']['p99']:.1f} ms, max {d['latency']['total']['max']:.1f} ms\n")
print("Checks:")
check(c["attempted"] == c["connacks"] + failed + in_flight,
      f"every attempt accounted for: {c['attempted']:,} = {c['connacks']:,} CONNACKs + {failed:,} failed + {in_flight:,} in flight at the stop")
check(failed == 0, f"no failed attempt ({failed})")
check(other.get("disconnectedByServer", 0) == 0, f"no connection closed by the server ({other.get('disconnectedByServer', 0)})")
if server_json:
    try:
        s = json.load(open(server_json))
        sc = s["counts"]["connacks"]
        check(c["connacks"] <= sc <= c["connacks"] + in_flight,
              f"the server's own count: {sc:,} CONNACKs sent, the generator received {c['connacks']:,} (the difference is at most what was in flight: {sc - c['connacks']})")
    except Exception as e:
        check(False, f"the server's results ({server_json}): {e}")
elif server_connacks:
    sc = int(server_connacks)
    check(c["connacks"] <= sc <= c["connacks"] + in_flight,
          f"Mosquitto's log: {sc:,} clients connected, the generator received {c['connacks']:,} CONNACKs (difference {sc - c['connacks']})")

rows = defaultdict(list)  # (role, t) -> summed over the role's processes
by_time = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0.0]))
for r in csv.DictReader(open(samples_csv)):
    acc = by_time[r["role"]][float(r["t"])]
    acc[0] += int(r["rss_kib"]); acc[1] += int(r["fds"]); acc[2] += int(r["threads"]); acc[3] += float(r["cpu_s"])
seconds = max((t for series in by_time.values() for t in series), default=0)
for role, series in by_time.items():
    pts = sorted(series.items())
    n = len(pts)
    if seconds < 600:
        print(f"- (flatness is judged on runs of 10 minutes or more; this one sampled {seconds:.0f} s, mostly warm-up)")
        break
    if n < 8:
        check(False, f"{role}: only {n} samples")
        continue
    q2 = pts[n // 4: n // 2]
    q4 = pts[3 * n // 4:]
    for i, name in ((0, "RSS"), (1, "fds")):
        m2 = sum(p[1][i] for p in q2) / len(q2)
        m4 = sum(p[1][i] for p in q4) / len(q4)
        check(m4 <= m2 * 1.05 + (2 if i == 1 else 0),
              f"{role} {name} flat: last-quarter mean {m4:,.0f} vs second-quarter mean {m2:,.0f} ({'KiB' if i == 0 else 'fds'}, {100 * (m4 / m2 - 1) if m2 else 0:+.1f}%)")
print()
for role, series in by_time.items():
    pts = sorted(series.items())
    step = max(1, len(pts) // 12)
    print(f"{role} over time (every {step * (pts[1][0] - pts[0][0] if len(pts) > 1 else 0):.0f} s):\n")
    print("| t (s) | RSS (MiB) | fds | threads | CPU (s) |\n|---|---|---|---|---|")
    for t, (rss, fds, threads, cpu) in pts[::step] + ([pts[-1]] if (len(pts) - 1) % step else []):
        print(f"| {t:.0f} | {rss / 1024:.1f} | {fds} | {threads} | {cpu:.1f} |")
    print()
sys.exit(0 if ok else 1)
