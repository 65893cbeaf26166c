#!/usr/bin/env bash
# Server memory per idle mutual-TLS MQTT connection: ConnBurst's `serve mqtt` (on each TLS engine) and Mosquitto, each holding N silent
# connections (CONNECT with keepalive 0) opened by bench/ConnBurst.Bench `hold`. RSS is VmRSS from /proc/PID/status,
# read after a warm-up of 200 held connections and again with N more held: (RSS_N - RSS_warm) / N.
# Usage: [ENGINES="openssl sslstream"] bench/server-memory.sh [N]   (default 2000; at most 15000; bounded: 2 minutes per server at most)
. "$(dirname "$0")/lib.sh"
n=${1:-2000}
engines=${ENGINES:-openssl sslstream}   # serve mqtt --tls-engine values measured side by side
work=$(mktemp -d)
mpids=()
trap 'kill $(jobs -p) "${mpids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
(cd "$BENCH_ROOT" && dotnet build -c Release bench/ConnBurst.Bench -v q -nologo >/dev/null)
BENCH_DLL="$BENCH_ROOT/bench/ConnBurst.Bench/bin/Release/net10.0/ConnBurst.Bench.dll"
connburst certs --out "$work/pki" --revoked 10000 >/dev/null
pki=$work/pki

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# hold_until_held PORT COUNT FIFO -> starts a holder fed by FIFO (it exits when the FIFO closes); waits for "held".
hold() {
  local port=$1 count=$2 out=$3
  mkfifo "$out.in"
  dotnet "$BENCH_DLL" hold "$port" "$pki" "$count" 300 <"$out.in" >"$out" 2>&1 &
  exec {fd}>"$out.in"
  local deadline=$((SECONDS + 150))
  until grep -q '^held' "$out" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "holder did not finish: $(cat "$out")" >&2; return 1; }
    sleep 0.5
  done
  echo "$fd"
}

measure() {
  local label=$1 spid=$2 port=$3 warm_fd all_fd r0 r1 held
  warm_fd=$(hold "$port" 200 "$work/$label.warm")
  sleep 6; r0=$(rss_kb "$spid")  # > the server's 5 s malloc_trim period, so both readings are trimmed
  all_fd=$(hold "$port" "$n" "$work/$label.all")
  sleep 6; r1=$(rss_kb "$spid")
  held=$(awk '/^held/{print $2}' "$work/$label.all")
  printf '| %s | %s | %d KiB | %d KiB | **%.1f KiB** |\n' "$label" "$held" "$r0" "$r1" "$(echo "($r1 - $r0) / $held" | bc -l)"
  eval "exec $warm_fd>&- $all_fd>&-"
  sleep 1
}

echo "## Server memory per idle connection ($(machine_facts))"
echo
echo "Command: \`ENGINES=\"$engines\" bench/server-memory.sh $n\` (mutual TLS 1.2, RSA-2048, CONNECT keepalive 0, 10K CRL); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | idle connections | RSS after 200 | RSS with N more | per connection |"
echo "|---|---|---|---|---|"
for e in $engines; do
  port=$(free_port)
  dotnet "$CONNBURST_DLL" serve mqtt --pki "$pki" --listen "127.0.0.1:$port" --tls-engine "$e" --interval 1h --out "$work/results" >"$work/cb-$e.out" 2>&1 &
  cb_pid=$!
  wait_port "$port" 60
  measure "connburst-$e" "$cb_pid" "$port"
  kill -TERM "$cb_pid"; wait "$cb_pid" 2>/dev/null || true
done
port=$(free_port)
mq_pid=$(start_mosquitto "$pki" "$port"); mpids+=("$mq_pid")
measure mosquitto "$mq_pid" "$port"
kill "$mq_pid"
