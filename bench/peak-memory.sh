#!/usr/bin/env bash
# The generator's memory over a 16-step peak search: `connburst peak` (native engine, TLS 1.3 with --resume, so each
# step's context also caches sessions) against `serve mqtt --max-accept-rate 250`, whose throttle the search brackets
# with --precision 0.01% until --max-steps 16 ends it. Prints the peak process's RSS (VmRSS, KiB) as each step ends
# (its "step N" line) and at the end. Usage: bench/peak-memory.sh [BUILD_DIR]  (default src/ConnBurst.Cli/bin/Release/net10.0)
set -euo pipefail
build=${1:-src/ConnBurst.Cli/bin/Release/net10.0}
work=$(mktemp -d /tmp/peak-memory.XXXX)
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
export CONNBURST_HOME=$work/home
dotnet "$build/connburst.dll" certs --out "$work/pki" --revoked 10 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet "$build/connburst.dll" serve mqtt --pki "$work/pki" --port "$port" --tls 1.3 --resume --max-accept-rate 250 \
  --results "$work/server" >"$work/server.log" 2>&1 &
server_pid=$!
until grep -q "listening" "$work/server.log"; do sleep 0.2; done
dotnet "$build/connburst.dll" peak --target "127.0.0.1:$port" --pki "$work/pki" --tls 1.3 --resume --start-rate 5 --min-rate 1 \
  --precision 0.01% --max-steps 16 --step-duration 1s --max-avg-latency 100ms --max-cpu-busy 100 --max-generator-lag 5s \
  --timeout 8s --results "$work/results" >"$work/peak.log" 2>&1 &
peak_pid=$!
seen=0
while kill -0 $peak_pid 2>/dev/null; do
  steps=$(grep -cE '^ +[0-9]+ +[0-9.]+ ' "$work/peak.log" || true)
  if [ "$steps" -gt "$seen" ]; then
    seen=$steps
    echo "after step $seen: rss_kib=$(awk '/VmRSS/ {print $2}' /proc/$peak_pid/status 2>/dev/null || echo gone)"
  fi
  sleep 0.2
done
wait $peak_pid || true
grep -E '^ +[0-9]+ +[0-9.]+ |verdict' "$work/peak.log"
