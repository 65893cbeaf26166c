#!/usr/bin/env bash
# The scale figure (docs/BENCHMARKS.md): N (default 50,000) concurrent mutual-TLS MQTT connections opened and then HELD for a while
# with keepalive on this one machine, counting every drop. `connburst burst` runs worker processes (at most 18,000
# sockets each: the fd limit is 20,000) against `connburst serve mqtt --workers W` (SO_REUSEPORT, W = N/15,000 + 1)
# over source addresses 127.0.0.2 and up, at most 13,000 connections each: Linux's connect() gets ~100 times dearer
# once one (source, destination) pair holds half of the 28,232 ephemeral ports (BurstLimits; 2026-12-02 this was
# the collapse past 54,000 held over 4 addresses).
# Drops: connections the server or the network closed (burst's disconnectedByServer) plus failed attempts, and the
# lowest established count (ss) seen during the hold. Bounded: the ramp stops at RAMP_SECONDS whatever it reached.
# Usage: [KEEP=DIR] bench/hold.sh [CLIENTS] [RATE] [HOLD_SECONDS] [RAMP_SECONDS]   (defaults 50000 250 300 400)
. "$(dirname "$0")/lib.sh"
clients=${1:-50000}
rate=${2:-250}
hold=${3:-300}
ramp=${4:-400}
keepalive=${KEEPALIVE:-60s}
workers=$((clients / 15000 + 1))
sources=$(( (clients + 12999) / 13000 )); [ "$sources" -lt 4 ] && sources=4
work=$(mktemp -d)
# The logs and results stay in KEEP (a directory) when it is set: a 20-minute run that goes wrong should leave its evidence.
keep=${KEEP:-}
trap 'for p in $(jobs -p); do pkill -KILL -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  [ -n "$keep" ] && mkdir -p "$keep" && cp -r "$work"/*.out "$work"/burst "$work"/server "$keep"/ 2>/dev/null; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
port=$(free_port)
dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki" --listen "127.0.0.1:$port" --workers "$workers" --out "$work/server" >"$work/server.out" 2>&1 &
spid=$!
wait_port "$port" 60
dotnet "$CONNBURST_DLL" burst --target "127.0.0.1:$port" --pki "$work/pki" --clients "$clients" --rate "$rate" --source-ips "127.0.0.2-127.0.0.$((sources + 1))" \
  --keepalive "$keepalive" --duration "$((ramp + hold + 30))s" --connect-timeout 60s --interval 5s --out "$work/burst" >"$work/burst.out" 2>&1 &
bpid=$!
# ss walks every socket in the kernel for each count: at 100,000 connections (200,000 loopback ends) one count costs
# a good part of a core, so the ramp counts every 5 s, not every second (2026-12-02: counting every second, the
# script itself was a visible share of a saturated machine's CPU past 54,000 connections).
established() { ss -Htn state established "( dport = :$port )" 2>/dev/null | wc -l; }
peak=0; start=$SECONDS; reached=""
while kill -0 "$bpid" 2>/dev/null && [ $((SECONDS - start)) -lt "$ramp" ]; do
  held=$(established); [ "$held" -gt "$peak" ] && peak=$held
  if [ "$held" -ge "$clients" ]; then reached=$((SECONDS - start)); break; fi
  sleep 5
done
low=$(established); hold_start=$SECONDS
while kill -0 "$bpid" 2>/dev/null && [ $((SECONDS - hold_start)) -lt "$hold" ]; do
  held=$(established); [ "$held" -lt "$low" ] && low=$held; [ "$held" -gt "$peak" ] && peak=$held
  sleep 5
done
held_end=$(established)
# The workers get their options as JSON on stdin, so their command lines do not name the target: count the burst
# process and its children.
rss_gen=$(for p in "$bpid" $(pgrep -P "$bpid"); do awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null; done | paste -sd+ | bc)
rss_srv=$(for p in $(pgrep -f "connburst.dll serve mqtt .*$work/pki"); do awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null; done | paste -sd+ | bc)
kill -INT "$bpid" 2>/dev/null; kill -TERM "$bpid" 2>/dev/null
for _ in $(seq 120); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.5; done
wait "$bpid" || true
# The results file, not burst's last line: a progress line may be printed after the path.
json=$(ls -t "$work"/burst/*.json 2>/dev/null | head -1 || true)
kill -TERM "$spid"
# serve mqtt gives each worker up to 15 s to stop and then writes its results: wait longer than that before killing.
for _ in $(seq 80); do kill -0 "$spid" 2>/dev/null || break; sleep 0.5; done
pkill -KILL -P "$spid" 2>/dev/null || true; kill -KILL "$spid" 2>/dev/null || true
echo "## Held connections: $clients concurrent mutual-TLS MQTT connections ($(machine_facts))"
echo
echo "Command: \`bench/hold.sh $clients $rate $hold $ramp\` (keepalive $keepalive, serve mqtt --workers $workers, burst over $sources source IPs)"
echo
python3 - "$json" "$peak" "$clients" "${reached:-not reached}" "$low" "$held_end" "$hold" "${rss_gen:-0}" "${rss_srv:-0}" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"burst wrote no results ({e})"); sys.exit(0)
peak, target, reached, low, end, hold = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
rss_gen, rss_srv = int(sys.argv[8]), int(sys.argv[9])
g = d["generator"]; c = d["counts"]; o = c.get("other", {})
failed = sum(c["failed"].values())
print("| figure | value |")
print("|---|---|")
print(f"| connections established at once (ss) | {peak} of {target} (all reached after {reached} s) |")
print(f"| held through the {hold} s hold: lowest / at the end | {low} / {end} |")
print(f"| drops: closed by the server or network / failed attempts | {o.get('disconnectedByServer', 0)} / {failed} {dict(c['failed'])} |")
print(f"| attempted / CONNACKs / keepalive PINGREQs sent, PINGRESPs | {c['attempted']} / {c['connacks']} / {o.get('pingreqs', '?')}, {o.get('pingresps', '?')} |")
print(f"| RSS with everything held: generator processes / server processes | {rss_gen // 1024} MiB ({rss_gen / max(peak,1):.1f} KiB per connection) / {rss_srv // 1024} MiB ({rss_srv / max(peak,1):.1f} KiB per connection) |")
print(f"| generator workers, CPU | {g['workers']}, {g['cpuSeconds']} s ({g['cpuMsPerAttempt']} ms/attempt) |")
t = d["latency"].get("total", {})
print(f"| total connect latency p50 / p99 / max | {t.get('p50', 0):.0f} / {t.get('p99', 0):.0f} / {t.get('max', 0):.0f} ms |")
print(f"| outcome | {d['outcome']} |")
PY
