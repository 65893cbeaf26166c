#!/usr/bin/env bash
# Peak SLO connection rate (average connect latency < 500 ms, every core <= 85% busy), co-located on this machine,
# for ConnBurst load -> Mosquitto and ConnBurst load -> ConnBurst's `serve mqtt`, in one run (the third bar:
# ConnBurst server >= 1.3x Mosquitto's peak and >= 400 connects/s). Each server is watched by `connburst monitor`.
# Usage: [ROUNDS=N] bench/peak-compare.sh [STEP_DURATION] [MAX_STEPS]   (defaults 4s and 10: about 2 minutes per server
# and round at most). With ROUNDS > 1 each round searches both servers again (fresh ones, the order swapped every other
# round) and the ratio is of the medians: one search's step can pass or fail on the machine's noise.
. "$(dirname "$0")/lib.sh"
step=${1:-4s}
steps=${2:-10}
rounds=${ROUNDS:-1}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
pki=$work/pki

# peak_of LABEL SERVER_PID PORT -> one table row; the search itself is `connburst peak`.
peak_of() {
  local label=$1 spid=$2 port=$3 mport json
  mport=$(free_port)
  dotnet "$CONNBURST_DLL" monitor --listen "127.0.0.1:$mport" --pid "$spid" --port "$port" --out "$work/mon-$port" >"$work/mon-$port.log" 2>&1 &
  local mpid=$!
  wait_port "$mport"
  # Warm the server first (JIT, TLS caches, thread pool) for both servers alike: peak's own 20-client warm-up is
  # too small for a freshly started .NET server, whose first step then measures start-up, not steady state.
  timeout 120 dotnet "$CONNBURST_DLL" burst --target "127.0.0.1:$port" --pki "$pki" --clients 600 --rate 150 --out "$work/warm-$port" >/dev/null 2>&1 || true
  json=$(timeout 300 dotnet "$CONNBURST_DLL" peak --target "127.0.0.1:$port" --monitor "127.0.0.1:$mport" --pki "$pki" \
           --step-duration "$step" --max-steps "$steps" --out "$work/peak-$port" 2>"$work/peak-$port.err" | tail -1)
  kill "$mpid" 2>/dev/null || true
  [ -f "$json" ] || { echo "| $label | peak failed: $(tail -1 "$work/peak-$port.err") | | |"; echo 0 >"$work/rate-$port"; return; }
  python3 - "$json" "$label" "$work/rate-$port" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d.get("peak", {})
steps = p.get("steps", [])
open(sys.argv[3], "w").write(str(p.get("rate", 0)))
print(f"| {sys.argv[2]} | **{p.get('rate', 0):.0f}/s** | {p.get('limitedBy', '?')} | {len(steps)} steps: "
      + "; ".join(f"{s.get('rate', 0):.0f}/s {s.get('outcome', '?')} (avg {s.get('avgLatencyMs', 0):.0f} ms, core max {s.get('maxCoreBusy') or 0:.0f}%"
      + (f", steal {s['maxCoreSteal']:.0f}%" if (s.get('maxCoreSteal') or 0) >= 1 else "") + ")" for s in steps) + " |")
PY
}

echo "## Peak SLO rate, co-located ($(machine_facts))"
echo
echo "Command: \`ROUNDS=$rounds bench/peak-compare.sh $step $steps\` (connburst peak, TLS 1.2 mutual, RSA-2048, 10K CRL, avg < 500 ms, every core <= 85%)"
echo
echo "| load -> server | peak | limited by | steps |"
echo "|---|---|---|---|"
# peak_mosquitto, peak_serve: one search against a fresh server; each appends its peak to its list.
mqs=(); cbs=()
peak_mosquitto() {
  local port mpid
  port=$(free_port)
  mpid=$(start_mosquitto "$pki" "$port")
  peak_of "connburst burst -> mosquitto" "$mpid" "$port"
  kill "$mpid" 2>/dev/null || true
  mqs+=("$(cat "$work/rate-$port")")
}
peak_serve() {
  local port spid
  port=$(free_port)
  dotnet "$CONNBURST_DLL" serve mqtt --pki "$pki" --listen "127.0.0.1:$port" >"$work/serve-$port.log" 2>&1 &
  spid=$!
  wait_port "$port" 30
  peak_of "connburst burst -> connburst serve mqtt" "$spid" "$port"
  kill -TERM "$spid" 2>/dev/null || true  # background jobs ignore SIGINT in scripts
  wait "$spid" 2>/dev/null || true
  cbs+=("$(cat "$work/rate-$port")")
}
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then peak_mosquitto; peak_serve; else peak_serve; peak_mosquitto; fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
mq=$(median "${mqs[@]}")
cb=$(median "${cbs[@]}")
echo
if [ "${mq%.*}" -gt 0 ] 2>/dev/null; then
  each=""
  [ "$rounds" -gt 1 ] && each=" (rounds: serve mqtt ${cbs[*]}/s, Mosquitto ${mqs[*]}/s; medians ${cb}/s and ${mq}/s)"
  printf 'Ratio ConnBurst server / Mosquitto: **%.2fx**%s (bar >= 1.3x and >= 400/s).\n' "$(echo "$cb / $mq" | bc -l)" "$each"
fi
