#!/usr/bin/env bash
# Peak search against `connburst serve mqtt` on this machine, with the monitor watching the server: ends with a
# verdict and a bracketed rate. Bounded: at most --max-steps steps of --step-duration each, all on loopback.
# Usage: bench/peak.sh [STEP_DURATION=3s] [MAX_STEPS=12] [MAX_CPU_BUSY=85]    Prints the verdict, the wall time and the report path.
. "$(dirname "$0")/lib.sh"
step=${1:-3s}
steps=${2:-12}
cpu=${3:-85}
build_connburst
work=$(mktemp -d /tmp/connburst-bench-peak-XXXX)
export CONNBURST_HOME="$work/home"
connburst certs --out "$work/pki" >/dev/null
port=$(free_port)
# dotnet directly, not the connburst shell function: started with &, $! would be the subshell running the function,
# so the monitor would watch (and cleanup would stop) that subshell instead of the server.
dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki" --listen "127.0.0.1:$port" --out "$work/results" --interval 10s >"$work/serve.log" 2>&1 &
server=$!
monitor_pid=""
# SIGTERM: background jobs of a script ignore SIGINT.
cleanup() { kill -TERM "$server" ${monitor_pid:+"$monitor_pid"} 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port "$port" 60
mport=$(free_port)
dotnet "$CONNBURST_DLL" monitor --listen "127.0.0.1:$mport" --pid "$server" --port "$port" --out "$work/results" --interval 500ms >"$work/monitor.log" 2>&1 &
monitor_pid=$!
wait_port "$mport" 60
start=$SECONDS
connburst peak --target "127.0.0.1:$port" --monitor "127.0.0.1:$mport" --pki "$work/pki" --out "$work/results" \
  --start-rate 50 --step-duration "$step" --max-steps "$steps" --precision 5% --max-cpu-busy "$cpu" | tee "$work/peak.out"
echo "bench/peak.sh: wall $((SECONDS - start)) s; load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; work dir $work"
