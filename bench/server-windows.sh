#!/usr/bin/env bash
# Is a fresh server's start dearer than its later connects? One fresh server at a time (serve mqtt as `dotnet
# connburst.dll`, or Mosquitto), 60 connects not counted, then WINDOWS windows of 600 each (bench/mqtt-connects.py, 6 at a
# time): server CPU, minor faults and context switches (every thread) per connect in each window.
# Usage: [WHO="dll mosquitto"] bench/server-windows.sh [SERVERS] [WINDOWS]   (defaults 2 servers of each, 4 windows)
. "$(dirname "$0")/lib.sh"
servers=${1:-2} windows=${2:-4}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
client=$BENCH_ROOT/bench/mqtt-connects.py
minflt() { awk '{ print $10 }' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'; }
echo "| server | $(seq -s ' | ' 1 "$windows" | sed 's/[0-9]\+/window &: ms, faults, switches/g') |"
echo "|---|$(printf -- '---|%.0s' $(seq 1 "$windows"))"
for who in ${WHO:-dll mosquitto}; do
  for _ in $(seq 1 "$servers"); do
    port=$(free_port)
    if [ "$who" = mosquitto ]; then pid=$(start_mosquitto "$work/pki" "$port"); else
      dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki" --listen "127.0.0.1:$port" --interval 1h --out "$work/results" \
        >"$work/serve.out" 2>&1 &
      pid=$!
      wait_port "$port" 60
    fi
    python3 "$client" 127.0.0.1 "$port" "$work/pki" 60 6 >/dev/null
    row="| $who |"
    for _ in $(seq 1 "$windows"); do
      c0=$(cpu_ms "$pid"); f0=$(minflt "$pid"); x0=$(switches "$pid")
      python3 "$client" 127.0.0.1 "$port" "$work/pki" 600 6 >/dev/null
      row+=" $(echo "($(cpu_ms "$pid") - $c0) / 600" | bc -l | xargs printf '%.2f'), $(( ($(minflt "$pid") - f0) / 600 )),"
      row+=" $(echo "($(switches "$pid") - $x0) / 600" | bc -l | xargs printf '%.1f') |"
    done
    echo "$row"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
done
