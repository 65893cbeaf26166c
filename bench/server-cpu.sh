#!/usr/bin/env bash
# Server CPU per accepted mutual-TLS connect (RSA-2048 both sides, TLS 1.2, 10K-serial CRL): ConnBurst's `serve mqtt`
# on each TLS engine, MQTTnet.Server 5.2 set up the same way as far as its options allow (bench/ConnBurst.Bench
# mqttnet-server), and Mosquitto (require_certificate, cafile, crlfile), under the same `openssl s_time -new` load, in
# alternating rounds of one run. CPU is utime+stime from /proc/PID/stat; connects are s_time's count.
# Usage: [ENGINES="openssl sslstream"] [MQTTNET=1] bench/server-cpu.sh [SECONDS_PER_ROUND] [ROUNDS]
#   (default 10 x 3: about 2 minutes of load with both engines and MQTTnet; MQTTNET=0 leaves MQTTnet out)
#   An engine written ENGINE:pool (e.g. "openssl openssl:pool") runs that server with socket completions handed to the
#   thread pool (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0) instead of serve mqtt's inline default.
#
# Fresh servers (docs/BENCHMARKS.md, "Fast from the first connection"): WARMUP=N [CONNECTS=600] [RUNTIMES="dll tiered ..."]
#   bench/server-cpu.sh - ROUNDS
#   Every round starts each server anew, makes N full MQTT connects (TLS 1.2 handshake, CONNECT, CONNACK, DISCONNECT)
#   that are not counted, then counts the server's CPU over the next CONNECTS, 6 at a time, all from
#   bench/mqtt-connects.py (Python's ssl module: an independent client). Each RUNTIMES name is a way of running
#   serve mqtt (bench/lib.sh runtime_cmd: dll, tiered, pgo0, tc0, nor2r, delay0, qjl0, r2r, r2r-tiered, r2r-tc0, r2r-pgo0, sf, aot), side by side with
#   Mosquitto; MQTTnet is left out. The runtimes run in a different order every round.
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
rounds=${2:-3}
warmup=${WARMUP:-}
if [ -n "$warmup" ]; then
  . "$(dirname "$0")/server-cpu-fresh.sh"
  exit 0
fi
engines=${ENGINES:-openssl sslstream}   # serve mqtt --tls-engine values measured side by side
mqttnet=${MQTTNET:-1}
work=$(mktemp -d)
# start_mosquitto runs in a command substitution, so its PID is not one of our jobs: remember it for the trap.
mpids=()
trap 'kill $(jobs -p) "${mpids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
pki=$work/pki

# stime_round SERVER_PID PORT -> "CONNECTS SERVER_CPU_MS CLIENT_CPU_MS"
stime_round() {
  local spid=$1 port=$2 s0 s1 c1=0 conns
  s0=$(cpu_ms "$spid")
  openssl s_time -connect 127.0.0.1:"$port" -new -time "$secs" -cert "$pki/client.pem" -key "$pki/client.key" \
      -CAfile "$pki/ca.pem" >"$work/stime.out" 2>&1 &
  local tpid=$!
  while kill -0 "$tpid" 2>/dev/null; do c1=$(cpu_ms "$tpid" 2>/dev/null || echo "$c1"); sleep 0.2; done
  wait "$tpid" || true
  s1=$(cpu_ms "$spid")
  conns=$(grep -Eo '^[0-9]+ connections in' "$work/stime.out" | head -1 | grep -Eo '^[0-9]+' || echo 0)
  echo "$conns $((s1 - s0)) $c1"
}

(cd "$BENCH_ROOT" && dotnet build -c Release bench/ConnBurst.Bench -v q -nologo >/dev/null)
BENCH_DLL="$BENCH_ROOT/bench/ConnBurst.Bench/bin/Release/net10.0/ConnBurst.Bench.dll"
declare -A pid_of port_of
servers=()
for e in $engines; do
  port_of[cb-$e]=$(free_port)
  inline=1; [[ $e == *:pool ]] && inline=0
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=$inline \
  dotnet "$CONNBURST_DLL" serve mqtt --pki "$pki" --listen "127.0.0.1:${port_of[cb-$e]}" --tls-engine "${e%%:*}" --interval 1h \
    --out "$work/results" >"$work/cb-$e.out" 2>&1 &
  pid_of[cb-$e]=$!
  servers+=("cb-$e")
done
if [ "$mqttnet" = 1 ]; then
  port_of[mqttnet]=$(free_port)
  dotnet "$BENCH_DLL" mqttnet-server "$pki" "${port_of[mqttnet]}" 900 < <(sleep 900) >"$work/mn.out" 2>&1 &
  pid_of[mqttnet]=$!
  servers+=(mqttnet)
fi
port_of[mosquitto]=$(free_port)
pid_of[mosquitto]=$(start_mosquitto "$pki" "${port_of[mosquitto]}"); mpids+=("${pid_of[mosquitto]}")
servers+=(mosquitto)
for s in "${servers[@]}"; do wait_port "${port_of[$s]}" 60; done
# Warm up (JIT tiers, OpenSSL contexts) before anything is counted.
for s in "${servers[@]}"; do
  openssl s_time -connect 127.0.0.1:"${port_of[$s]}" -new -time 5 -cert "$pki/client.pem" -key "$pki/client.key" -CAfile "$pki/ca.pem" >/dev/null 2>&1 || true
done

name_of() { case $1 in cb-*) echo "ConnBurst (${1#cb-})" ;; mqttnet) echo "MQTTnet.Server" ;; *) echo "Mosquitto" ;; esac; }
echo "## Server CPU per connect ($(machine_facts))"
echo
echo "Command: \`ENGINES=\"$engines\" MQTTNET=$mqttnet bench/server-cpu.sh $secs $rounds\` (openssl s_time -new, mutual TLS 1.2, RSA-2048, CRL of 10,000 serials); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | server | connects/s | server ms CPU/connect | s_time client ms CPU/connect |"
echo "|---|---|---|---|---|"
declare -A list_of
for r in $(seq 1 "$rounds"); do
  for who in "${servers[@]}"; do
    read -r n s c <<<"$(stime_round "${pid_of[$who]}" "${port_of[$who]}")"
    [ "$n" -gt 0 ] || { echo "| $r | $(name_of "$who") | no connects: $(tail -2 "$work/stime.out" | tr '\n' ' ') | | |"; continue; }
    per=$(echo "$s / $n" | bc -l)
    printf '| %s | %s | %.0f | %.3f | %.3f |\n' "$r" "$(name_of "$who")" "$(echo "$n / $secs" | bc -l)" "$per" "$(echo "$c / $n" | bc -l)"
    list_of[$who]+="$per "
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
declare -A med
for who in "${servers[@]}"; do
  # shellcheck disable=SC2086
  med[$who]=$(median ${list_of[$who]})
done
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| server | median ms CPU/connect | ratio to Mosquitto |"
echo "|---|---|---|"
for who in "${servers[@]}"; do
  printf '| %s | %.3f | **%.2fx** |\n' "$(name_of "$who")" "${med[$who]}" "$(echo "${med[$who]} / ${med[mosquitto]}" | bc -l)"
done
echo
echo "Bar: ConnBurst <= 0.7x Mosquitto (stretch 0.5x)."
for e in $engines; do
  kill -TERM "${pid_of[cb-$e]}"; wait "${pid_of[cb-$e]}" 2>/dev/null || true
  echo
  echo "ConnBurst ($e) server's own counters at exit: $(grep '^final:' "$work/cb-$e.out" | cut -c8-)"
done
