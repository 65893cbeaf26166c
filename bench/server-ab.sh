#!/usr/bin/env bash
# Two serve mqtt builds side by side: each a fresh server under its own bench/mqtt-connects.py (full MQTT v5 connects
# over mutual TLS 1.2, RSA-2048, 10K CRL, 6 at a time), both at the same moment, so a busy machine slows both alike and
# the ratio new/old over the same window is the figure (bench/generator-ab.sh's method, for the server).
# Usage: bench/server-ab.sh OLD_DLL NEW_DLL [CONNECTS] [ROUNDS]   (defaults 1500 counted after 100, 3 rounds; about 1 minute a round)
. "$(dirname "$0")/lib.sh"
old=${1:?usage: bench/server-ab.sh OLD_DLL NEW_DLL [CONNECTS] [ROUNDS]} new=${2:?usage: bench/server-ab.sh OLD_DLL NEW_DLL [CONNECTS] [ROUNDS]}
connects=${3:-1500} rounds=${4:-3}
for f in "$old" "$new"; do [ -f "$f" ] || { echo "no such dll: $f" >&2; exit 2; }; done
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
connburst certs --out "$work/pki" >/dev/null
client=$BENCH_ROOT/bench/mqtt-connects.py
echo "| round | old ms CPU/connect | new ms CPU/connect | new/old | load average |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  declare -A pid=() port=() c0=()
  for who in old new; do
    port[$who]=$(free_port)
    dotnet "${!who}" serve mqtt --pki "$work/pki" --listen "127.0.0.1:${port[$who]}" --interval 1h --out "$work/results" \
      >"$work/$who.out" 2>&1 &
    pid[$who]=$!
  done
  for who in old new; do
    wait_port "${port[$who]}" 60
    python3 "$client" 127.0.0.1 "${port[$who]}" "$work/pki" 100 6 >/dev/null
  done
  for who in old new; do c0[$who]=$(cpu_ms "${pid[$who]}"); done
  python3 "$client" 127.0.0.1 "${port[old]}" "$work/pki" "$connects" 6 >/dev/null & a=$!
  python3 "$client" 127.0.0.1 "${port[new]}" "$work/pki" "$connects" 6 >/dev/null & b=$!
  wait "$a" "$b" || true
  o=$(echo "($(cpu_ms "${pid[old]}") - ${c0[old]}) / $connects" | bc -l)
  n=$(echo "($(cpu_ms "${pid[new]}") - ${c0[new]}) / $connects" | bc -l)
  printf '| %d | %.3f | %.3f | %.3f | %s |\n' "$round" "$o" "$n" "$(echo "$n / $o" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  kill "${pid[old]}" "${pid[new]}" 2>/dev/null || true
  wait "${pid[old]}" "${pid[new]}" 2>/dev/null || true
done
