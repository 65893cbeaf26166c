#!/usr/bin/env bash
# What `monitor --perf` costs the server it profiles: serve mqtt's CPU per connect with and without perf
# sampling it, side by side in one run. One server (DOTNET_PerfMapEnabled=1 in both cases, so only perf differs) and
# two monitors watching it, one with --perf (starting at 5% of one core, so perf samples from the first second of
# each burst for up to 10 s), one without. Bursts alternate between the monitors, ROUNDS times each; the server's CPU
# seconds over each recording (the monitor's process.cpuSeconds) are divided by that burst's CONNACKs.
# Usage: bench/perf-overhead.sh [CLIENTS=1500] [RATE=150] [ROUNDS=3] [FREQUENCY=199]
. "$(dirname "$0")/lib.sh"
clients=${1:-1500}
rate=${2:-150}
rounds=${3:-3}
frequency=${4:-199}
work=$(mktemp -d)
pids=()
cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

build_connburst
connburst certs --out "$work/pki" >/dev/null
port=$(free_port)
DOTNET_PerfMapEnabled=1 dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki" --listen "127.0.0.1:$port" --out "$work/server" >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
wait_port "$port" 60

start_monitor() { # NAME EXTRA... -> control port; pid in $work/pid-NAME
  local name=$1; shift
  dotnet "$CONNBURST_DLL" monitor --listen 127.0.0.1:0 --out "$work/mon-$name" --pid "$server" "$@" >"$work/monitor-$name.log" 2>&1 &
  echo $! >"$work/pid-$name"
  for _ in $(seq 300); do grep -q "listening on" "$work/monitor-$name.log" && break; sleep 0.2; done
  grep -o 'listening on 127.0.0.1:[0-9]*' "$work/monitor-$name.log" | cut -d: -f2
}
off=$(start_monitor off); on=$(start_monitor on --perf --perf-cpu-bound 5 --perf-frequency "$frequency" --perf-window 10s)
pids+=("$(cat "$work/pid-off")" "$(cat "$work/pid-on")")

# Warm-up: JIT and tiering in the server, the first handshakes' caches.
connburst burst --target "127.0.0.1:$port" --pki "$work/pki" --clients 300 --rate "$rate" --duration 2s --out "$work/warm" >/dev/null 2>&1 || true

per_connect() { # RESULTS_JSON -> "ms-per-connect connacks perf-status"
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["server"]["process"]
c = d["counts"]["connacks"]
print("%.3f %d %s" % (1000 * s["cpuSeconds"] / max(c, 1), c, s.get("profile", {}).get("status", "-")))
PY
}
declare -a r_off r_on
status_on=""
for i in $(seq "$rounds"); do
  for mode in off on; do
    ctl=$off; [ "$mode" = on ] && ctl=$on
    out=$(connburst burst --target "127.0.0.1:$port" --pki "$work/pki" --clients "$clients" --rate "$rate" --duration "$((clients / rate))s" \
      --monitor "127.0.0.1:$ctl" --out "$work/$mode-$i" 2>/dev/null | tail -1) || true
    read -r ms connacks status < <(per_connect "$out")
    if [ "$mode" = on ]; then r_on+=("$ms"); status_on="$status_on $status"; else r_off+=("$ms"); fi
    echo "round $i perf $mode: $ms ms CPU per connect ($connacks CONNACKs, profile: $status)" >&2
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
m_off=$(median "${r_off[@]}"); m_on=$(median "${r_on[@]}")

echo "## perf's overhead on the profiled server ($(machine_facts))"
echo
echo "Command: \`bench/perf-overhead.sh $clients $rate $rounds $frequency\`. serve mqtt (DOTNET_PerfMapEnabled=1) under bursts of $clients clients at $rate/s,"
echo "alternating between a monitor with \`--perf --perf-frequency $frequency --perf-window 10s\` and one without; server CPU from the monitor's"
echo "process.cpuSeconds over each recording, divided by the burst's CONNACKs. Profile status of the perf runs:$status_on."
echo
echo "| monitor | server CPU per connect, ms (median) | rounds |"
echo "|---|---|---|"
echo "| without --perf | $m_off | ${r_off[*]} |"
echo "| with --perf ($frequency Hz) | $m_on | ${r_on[*]} |"
echo "| ratio with/without | $(awk -v a="$m_on" -v b="$m_off" 'BEGIN{printf "%.3f", a/b}') | |"
