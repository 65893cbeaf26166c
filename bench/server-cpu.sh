#!/usr/bin/env bash
# Server CPU per accepted mutual-TLS connect (RSA-2048 both sides, TLS 1.2, 10K-serial CRL): ConnBurst's `serve mqtt`,
# MQTTnet.Server 5.2 set up the same way as far as its options allow (bench/ConnBurst.Bench mqttnet-server), and
# Mosquitto (require_certificate, cafile, crlfile), under the same `openssl s_time -new` load, in alternating rounds of
# one run. CPU is utime+stime from /proc/PID/stat; connects are s_time's count.
# Usage: bench/server-cpu.sh [SECONDS_PER_ROUND] [ROUNDS]   (default 10 x 3: about 70 s of load in all)
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
rounds=${2:-3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
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
cb_port=$(free_port)
dotnet "$CONNBURST_DLL" serve mqtt --pki "$pki" --port "$cb_port" --report-interval 1h --results "$work/results" >"$work/cb.out" 2>&1 &
cb_pid=$!
mn_port=$(free_port)
dotnet "$BENCH_DLL" mqttnet-server "$pki" "$mn_port" 900 < <(sleep 900) >"$work/mn.out" 2>&1 &
mn_pid=$!
mq_port=$(free_port)
mq_pid=$(start_mosquitto "$pki" "$mq_port")
wait_port "$cb_port" 60
wait_port "$mn_port" 60
# Warm up (JIT tiers, OpenSSL contexts) before anything is counted.
for p in "$cb_port" "$mn_port" "$mq_port"; do
  openssl s_time -connect 127.0.0.1:"$p" -new -time 8 -cert "$pki/client.pem" -key "$pki/client.key" -CAfile "$pki/ca.pem" >/dev/null 2>&1 || true
done

echo "## Server CPU per connect ($(machine_facts))"
echo
echo "Command: \`bench/server-cpu.sh $secs $rounds\` (openssl s_time -new, mutual TLS 1.2, RSA-2048, CRL of 10,000 serials)"
echo
echo "| round | server | connects/s | server ms CPU/connect | s_time client ms CPU/connect |"
echo "|---|---|---|---|---|"
cb_list=(); mq_list=(); mn_list=()
for r in $(seq 1 "$rounds"); do
  for who in connburst mqttnet mosquitto; do
    case $who in
      connburst) read -r n s c <<<"$(stime_round "$cb_pid" "$cb_port")" ;;
      mqttnet) read -r n s c <<<"$(stime_round "$mn_pid" "$mn_port")" ;;
      *) read -r n s c <<<"$(stime_round "$mq_pid" "$mq_port")" ;;
    esac
    [ "$n" -gt 0 ] || { echo "| $r | $who | no connects: $(tail -2 "$work/stime.out" | tr '\n' ' ') | | |"; continue; }
    per=$(echo "$s / $n" | bc -l)
    printf '| %s | %s | %.0f | %.3f | %.3f |\n' "$r" "$who" "$(echo "$n / $secs" | bc -l)" "$per" "$(echo "$c / $n" | bc -l)"
    case $who in connburst) cb_list+=("$per") ;; mqttnet) mn_list+=("$per") ;; *) mq_list+=("$per") ;; esac
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
cbm=$(median "${cb_list[@]}"); mqm=$(median "${mq_list[@]}"); mnm=$(median "${mn_list[@]}")
echo
printf 'Median server CPU per connect: ConnBurst %.3f ms, MQTTnet.Server %.3f ms, Mosquitto %.3f ms.\n' "$cbm" "$mnm" "$mqm"
printf 'Ratios to Mosquitto: ConnBurst **%.2fx** (bar <= 0.7x, stretch 0.5x), MQTTnet.Server %.2fx.\n' "$(echo "$cbm / $mqm" | bc -l)" "$(echo "$mnm / $mqm" | bc -l)"
kill -TERM "$cb_pid"; wait "$cb_pid" 2>/dev/null || true
echo
echo "ConnBurst server's own counters at exit: $(grep '^final:' "$work/cb.out" | cut -c8-)"
