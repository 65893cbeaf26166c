#!/usr/bin/env bash
# The soak (docs/BENCHMARKS.md): the MQTT benchmark's hour of reconnect cycles (every client connects, holds LINGER, disconnects and
# reconnects, paced at RATE) against `connburst serve mqtt` and then Mosquitto with the 10K CRL. Every 10 s it samples
# RSS, open fds, threads and CPU of every process on both sides (burst's workers included); at the end it reconciles
# the counts (attempts against outcomes: CONNACK, failure by reason, or in flight at the stop; the generator's
# CONNACKs against the server's own count) and checks that RSS and fds stayed flat (mean of the last quarter within
# 5% of the second quarter's). One markdown report per run, with RSS and fds over time.
# Usage: bench/soak.sh [DURATION] [CLIENTS] [RATE] [LINGER] [SERVERS]   (defaults 1h 3000 250 4s "serve mosquitto")
# Exit status: 0 when every check passed on every server, 1 otherwise. Bounded: --duration ends the load.
. "$(dirname "$0")/lib.sh"
duration=${1:-1h}
clients=${2:-3000}
rate=${3:-250}
linger=${4:-4s}
servers=${5:-serve mosquitto}
interval=${SOAK_INTERVAL:-10}
out=${SOAK_OUT:-$(mktemp -d /tmp/connburst-soak-XXXX)}
mkdir -p "$out"
work=$(mktemp -d)
cleanup() { for p in $(jobs -p); do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null   # the default PKI: a CRL of 10,000 revoked serials
failed=0

soak_one() {
  local server=$1 port spid dir="$out/$1"
  mkdir -p "$dir"
  port=$(free_port)
  if [ "$server" = serve ]; then
    dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki" --listen "127.0.0.1:$port" --out "$dir/server" >"$dir/server.out" 2>&1 &
    spid=$!
    wait_port "$port" 60
  else
    # Mosquitto's notices name every connection: its own count of CONNACKs sent.
    { mosquitto_conf "$work/pki" "$port"; printf 'log_dest file %s\nlog_type notice\nlog_type error\nlog_type warning\n' "$dir/mosquitto.log"; } >"$dir/mosquitto.conf"
    /usr/sbin/mosquitto -c "$dir/mosquitto.conf" >"$dir/server.out" 2>&1 &
    spid=$!
    wait_port "$port" 10
  fi
  dotnet "$CONNBURST_DLL" burst --target "127.0.0.1:$port" --pki "$work/pki" --clients "$clients" --rate "$rate" --linger "$linger" \
    --duration "$duration" --connect-timeout 10s --interval 10s --out "$dir/burst" >"$dir/burst.out" 2>&1 &
  local bpid=$!
  python3 "$BENCH_ROOT/bench/soak-sample.py" "$dir/samples.csv" "$interval" "generator=$bpid" "server=$spid" &
  local sampler=$!
  wait "$bpid" || true
  kill -TERM "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  kill -TERM "$spid" 2>/dev/null   # SIGINT is ignored by a background job of a script; both servers stop cleanly on SIGTERM
  for _ in $(seq 60); do kill -0 "$spid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  local server_json="" server_connacks=""
  if [ "$server" = serve ]; then
    server_json=$(tail -1 "$dir/server.out")
  else
    server_connacks=$(grep -c "New client connected" "$dir/mosquitto.log" || true)
  fi
  python3 "$BENCH_ROOT/bench/soak-report.py" "$server" "$(tail -1 "$dir/burst.out")" "$dir/samples.csv" "$server_json" "$server_connacks" \
    "bench/soak.sh $duration $clients $rate $linger $server" "$(machine_facts)" >"$dir/report.md" || failed=1
  cat "$dir/report.md"
}

for s in $servers; do soak_one "$s"; done
echo "reports in $out"
exit "$failed"
