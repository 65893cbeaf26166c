#!/usr/bin/env bash
# The monitor's own CPU (its bar: at most 1% of one core at a 1 s interval), measured from /proc/PID/stat.
# Two monitors run side by side, at 1 s and 250 ms, both watching one python3 process with 50 named threads
# (--process) and its listening port (--port), both recording (START sent) so the recording path is counted.
# After a warm-up (JIT, tiering), CPU is read over WINDOWS consecutive windows of WINDOW seconds; the median
# window is reported. Usage: bench/monitor-overhead.sh [WINDOW_SECONDS=20] [WINDOWS=3]
. "$(dirname "$0")/lib.sh"
window=${1:-20}
warmup=${WARMUP:-10}
windows=${2:-3}
work=$(mktemp -d)
pids=()
cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

build_connburst
port=$(free_port)
name="cbbench$$"
name=${name:0:15}
/usr/bin/python3 - "$name" "$port" >"$work/target.log" 2>&1 <<'PY' &
import ctypes, socket, sys, threading, time
libc = ctypes.CDLL(None)
libc.prctl(15, sys.argv[1].encode(), 0, 0, 0)
srv = socket.socket(); srv.bind(("127.0.0.1", int(sys.argv[2]))); srv.listen(16)
def idle(i):
    libc.prctl(15, ("worker%d" % i).encode(), 0, 0, 0)
    while True: time.sleep(0.5)
for i in range(49):
    threading.Thread(target=idle, args=(i,), daemon=True).start()
time.sleep(600)
PY
pids+=($!)
wait_port "$port" 10

start_monitor() { # INTERVAL -> control port
  local log="$work/monitor-$1.log"
  dotnet "$CONNBURST_DLL" monitor --listen 127.0.0.1:0 --out "$work/results-$1" --process "$name" --port "$port" --interval "$1" >"$log" 2>&1 &
  echo $! >"$work/pid-$1" # runs in $(...): the caller adds the pid to pids
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.2; done
  grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | cut -d: -f2
}
send() { python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall((sys.argv[2]+"\n").encode()); print(s.makefile().readline().strip())' "$1" "$2"; }

p1=$(start_monitor 1s); p250=$(start_monitor 250ms)
m1=$(cat "$work/pid-1s"); m250=$(cat "$work/pid-250ms")
pids+=("$m1" "$m250")
send "$p1" "START bench-1s" >/dev/null; send "$p250" "START bench-250ms" >/dev/null
sleep "$warmup" # warm-up: JIT and tiered compilation of the sampling path
threads=$(awk '{print $20}' "/proc/$(pgrep -x "$name" | head -1)/stat")

r1=(); r250=()
for _ in $(seq "$windows"); do
  a1=$(cpu_ms "$m1"); a250=$(cpu_ms "$m250"); t0=$(date +%s%N)
  sleep "$window"
  b1=$(cpu_ms "$m1"); b250=$(cpu_ms "$m250"); t1=$(date +%s%N)
  wall_ms=$(( (t1 - t0) / 1000000 ))
  r1+=("$(awk -v c=$((b1 - a1)) -v w="$wall_ms" 'BEGIN{printf "%.3f", 100*c/w}')")
  r250+=("$(awk -v c=$((b250 - a250)) -v w="$wall_ms" 'BEGIN{printf "%.3f", 100*c/w}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
rss() { awk '/VmRSS/{printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }

echo "## Monitor overhead ($(machine_facts))"
echo
echo "Command: \`WARMUP=$warmup bench/monitor-overhead.sh $window $windows\`. Watching $name ($threads threads) and its port $port;"
echo "$windows windows of ${window}s after a ${warmup}s warm-up; CPU from /proc/PID/stat (10 ms ticks). Bar: <= 1% of one core at 1 s."
echo
echo "| interval | monitor CPU, % of one core (median window) | windows | RSS |"
echo "|---|---|---|---|"
echo "| 1s | $(median "${r1[@]}") | ${r1[*]} | $(rss "$m1") |"
echo "| 250ms | $(median "${r250[@]}") | ${r250[*]} | $(rss "$m250") |"
