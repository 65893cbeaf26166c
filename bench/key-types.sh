#!/usr/bin/env bash
# RSA-2048 against ECDSA P-256 on `connburst serve mqtt`, the analysis's key-type proposal followed through
# (docs/BENCHMARKS.md, "RSA-2048 against ECDSA P-256 on serve mqtt"). Each round measures both keys, alternating,
# so a busy shared machine weighs on both alike; the ratios are the figures:
#   1. server CPU per connect: two fresh servers, one per key, each under its own bench/mqtt-connects.py (full mutual
#      TLS 1.2 connects from Python's OpenSSL), both at once (bench/server-ab.sh's method);
#   2. co-located peak: `connburst peak` with the monitor against one server, then the other (order swapped every
#      round), same SLO and steps.
# Usage: bench/key-types.sh [ROUNDS=3] [CONNECTS=1200] [STEP=2s] [MAX_CPU_BUSY=85]   (about 3 minutes a round on 2 cores)
# On a machine other work keeps busy, MAX_CPU_BUSY=100 judges the peak steps by latency and errors alone: with the
# cores already saturated by others, every step would fail the CPU line at any rate.
. "$(dirname "$0")/lib.sh"
rounds=${1:-3} connects=${2:-1200} step=${3:-2s} max_cpu=${4:-85}
build_connburst
work=$(mktemp -d /tmp/connburst-bench-keys-XXXX)
export CONNBURST_HOME="$work/home"
pids=()
cleanup() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
connburst certs --out "$work/pki-rsa" --key rsa2048 >/dev/null
connburst certs --out "$work/pki-ecdsa" --key ecdsa-p256 >/dev/null
client=$BENCH_ROOT/bench/mqtt-connects.py
echo "machine: $(machine_facts); shared with other work, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | RSA ms CPU/connect | ECDSA ms CPU/connect | ECDSA/RSA | RSA peak /s | ECDSA peak /s | ECDSA/RSA | load average |"
echo "|---|---|---|---|---|---|---|---|"
start_server() { # KEY -> sets server_pid, server_port
  server_port=$(free_port)
  dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki-$1" --port "$server_port" --report-interval 1h --results "$work/results" \
    >"$work/serve-$1.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_port "$server_port" 60
}
stop() { kill -TERM "$@" 2>/dev/null || true; wait "$@" 2>/dev/null || true; }
peak_of() { # KEY ROUND -> prints the peak rate found against a fresh server with that key
  local mport out="$work/peak-$1-round$2"
  start_server "$1"
  mport=$(free_port)
  dotnet "$CONNBURST_DLL" monitor --listen "127.0.0.1:$mport" --pid "$server_pid" --port "$server_port" --results "$work/results" \
    --interval 500ms >"$work/monitor-$1.log" 2>&1 &
  local monitor=$!
  pids+=("$monitor")
  wait_port "$mport" 60
  connburst peak --target "127.0.0.1:$server_port" --monitor "127.0.0.1:$mport" --pki "$work/pki-$1" --results "$out" \
    --start-rate 100 --step-duration "$step" --max-steps 10 --precision 10% --max-cpu-busy "$max_cpu" >"$out.log" 2>&1 || true
  stop "$monitor" "$server_pid"
  python3 -c 'import glob,json,sys; print(json.load(open(glob.glob(sys.argv[1]+"/peak-*.json")[0]))["peak"]["rate"])' "$out"
}
for round in $(seq 1 "$rounds"); do
  declare -A pid=() port=() c0=() cpu=() peak=()
  for key in rsa ecdsa; do start_server "$key"; pid[$key]=$server_pid; port[$key]=$server_port; done
  for key in rsa ecdsa; do python3 "$client" 127.0.0.1 "${port[$key]}" "$work/pki-$key" 100 6 >/dev/null; done # warm-up
  for key in rsa ecdsa; do c0[$key]=$(cpu_ms "${pid[$key]}"); done
  python3 "$client" 127.0.0.1 "${port[rsa]}" "$work/pki-rsa" "$connects" 6 >/dev/null & a=$!
  python3 "$client" 127.0.0.1 "${port[ecdsa]}" "$work/pki-ecdsa" "$connects" 6 >/dev/null & b=$!
  wait "$a" "$b" || true
  for key in rsa ecdsa; do cpu[$key]=$(echo "($(cpu_ms "${pid[$key]}") - ${c0[$key]}) / $connects" | bc -l); done
  stop "${pid[rsa]}" "${pid[ecdsa]}"
  order="rsa ecdsa"; [ $((round % 2)) -eq 0 ] && order="ecdsa rsa"
  for key in $order; do peak[$key]=$(peak_of "$key" "$round"); done
  printf '| %d | %.3f | %.3f | %.3f | %s | %s | %.2f | %s |\n' "$round" "${cpu[rsa]}" "${cpu[ecdsa]}" \
    "$(echo "${cpu[ecdsa]} / ${cpu[rsa]}" | bc -l)" "${peak[rsa]}" "${peak[ecdsa]}" \
    "$(echo "${peak[ecdsa]} / (${peak[rsa]} + 0.000001)" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
echo
echo "bench/key-types.sh: work dir $work (each peak's results, report and log under peak-KEY-roundN)"
