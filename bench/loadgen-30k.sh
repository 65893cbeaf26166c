#!/usr/bin/env bash
# Issue 4's scale figure: N (default 30,000) concurrent mutual-TLS MQTT connections held at once on this one machine,
# `connburst burst` with worker processes (at most 18,000 sockets each: the fd limit is 20,000) against
# `connburst serve mqtt --workers 2` (SO_REUSEPORT), over 4 source addresses (the per-address port range is ~28K).
# Bounded: the run stops at MAX_SECONDS whatever it reached, and the script reports what was held.
# Usage: bench/loadgen-30k.sh [CLIENTS] [RATE] [MAX_SECONDS]   (defaults 30000 400 240)
. "$(dirname "$0")/lib.sh"
clients=${1:-30000}
rate=${2:-400}
max=${3:-240}
work=$(mktemp -d)
trap 'for p in $(jobs -p); do pkill -KILL -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
port=$(free_port)
connburst serve mqtt --pki "$work/pki" --port "$port" --workers 2 --results "$work/server" >"$work/server.out" 2>&1 &
spid=$!
wait_port "$port" 60
connburst burst --target "127.0.0.1:$port" --pki "$work/pki" --clients "$clients" --rate "$rate" --source-ips 127.0.0.2-127.0.0.5 \
  --duration "${max}s" --timeout 60s --snapshot 2s --results "$work/burst" >"$work/burst.out" 2>&1 &
bpid=$!
peak=0; start=$SECONDS
while kill -0 "$bpid" 2>/dev/null; do
  held=$(ss -Htn state established "( dport = :$port )" 2>/dev/null | wc -l)
  [ "$held" -gt "$peak" ] && peak=$held
  if [ "$held" -ge "$clients" ]; then sleep 10; held=$(ss -Htn state established "( dport = :$port )" | wc -l); kill -TERM "$bpid"; break; fi
  sleep 1
done
wait "$bpid" || true
elapsed=$((SECONDS - start))
json=$(tail -1 "$work/burst.out")
# The server stops its --workers children on TERM; bound the wait and make sure none is left behind.
kill -TERM "$spid"
for _ in $(seq 30); do kill -0 "$spid" 2>/dev/null || break; sleep 0.5; done
pkill -KILL -P "$spid" 2>/dev/null || true; kill -KILL "$spid" 2>/dev/null || true
echo "## Load generator: $clients concurrent connections ($(machine_facts))"
echo
echo "Command: \`bench/loadgen-30k.sh $clients $rate $max\`"
echo
python3 - "$json" "$peak" "$clients" "$elapsed" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); peak, target, elapsed = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
g = d["generator"]; c = d["counts"]
print("| figure | value |")
print("|---|---|")
print(f"| connections held at once (ss, established to the server port) | {peak} of {target} |")
print(f"| attempted / CONNACKs / failed | {c['attempted']} / {c['connacks']} / {sum(c['failed'].values())} {dict(c['failed'])} |")
print(f"| wall time | {elapsed} s (outcome {d['outcome']}) |")
print(f"| generator workers, CPU, peak RSS | {g['workers']}, {g['cpuSeconds']} s ({g['cpuMsPerAttempt']} ms/attempt), {g['peakRssBytes'] // 1048576} MiB |")
t = d["latency"].get("total", {})
print(f"| total latency p50 / p99 / max | {t.get('p50', 0):.0f} / {t.get('p99', 0):.0f} / {t.get('max', 0):.0f} ms |")
PY
