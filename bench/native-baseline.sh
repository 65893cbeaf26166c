#!/usr/bin/env bash
# The native reference figures every ConnBurst figure is compared with, measured in one run:
#   1. the crypto floor: openssl speed rsa2048 / ecdsap256 signs per second;
#   2. `openssl s_server -Verify 1 -CRL crl.pem -crl_check` vs `openssl s_time -new` (mutual TLS 1.2, RSA-2048,
#      10K CRL): server and client CPU per connect;
#   3. Mosquitto (require_certificate, cafile, crlfile, TLS 1.2) under the same s_time load: server CPU per connect.
# Usage: bench/native-baseline.sh [SECONDS_PER_RUN]   (default 10; bounded: about 4x that in all)
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
pki=$work/pki

echo "## Native baseline ($(machine_facts))"
echo
echo "Command: \`bench/native-baseline.sh $secs\`"
echo
speed=$(openssl speed -seconds 3 rsa2048 ecdsap256 2>/dev/null)
rsa_sign=$(awk '/^rsa 2048 bits/{print $6}' <<<"$speed")
ec_sign=$(awk '/256 bits ecdsa \(nistp256\)/{print $7}' <<<"$speed")
echo "| figure | value |"
echo "|---|---|"
echo "| RSA-2048 signs/s (one core) | $rsa_sign |"
echo "| ECDSA P-256 signs/s (one core) | $ec_sign |"

# run_stime LABEL SERVER_PID PORT: s_time -new for $secs against PORT; prints per-connect CPU on both sides.
run_stime() {
  local label=$1 spid=$2 port=$3 s0 s1 conns c1
  s0=$(cpu_ms "$spid")
  # s_time's own CPU is read from /proc while it runs (its last sample is within 0.2 s of its end), so both
  # sides are counted the same way.
  openssl s_time -connect 127.0.0.1:"$port" -new -time "$secs" -cert "$pki/client.pem" -key "$pki/client.key" \
      -CAfile "$pki/ca.pem" >"$work/stime.out" 2>&1 &
  local tpid=$!
  c1=0
  while kill -0 "$tpid" 2>/dev/null; do c1=$(cpu_ms "$tpid" 2>/dev/null || echo "$c1"); sleep 0.2; done
  wait "$tpid" || true
  s1=$(cpu_ms "$spid")
  conns=$(grep -Eo '^[0-9]+ connections in' "$work/stime.out" | head -1 | grep -Eo '^[0-9]+')
  [ -n "$conns" ] && [ "$conns" -gt 0 ] || { echo "| $label | s_time made no connections: $(tail -2 "$work/stime.out" | tr '\n' ' ') |"; return; }
  printf '| %s | %s connects in %ss (%.0f/s) | server %.2f ms CPU/connect | s_time client %.2f ms CPU/connect |\n' \
    "$label" "$conns" "$secs" "$(echo "$conns / $secs" | bc -l)" "$(echo "($s1 - $s0) / $conns" | bc -l)" "$(echo "$c1 / $conns" | bc -l)"
}

echo
echo "| server | load | server CPU | client CPU |"
echo "|---|---|---|---|"
port=$(free_port)
openssl s_server -accept "127.0.0.1:$port" -cert "$pki/server.pem" -key "$pki/server.key" -CAfile "$pki/ca.pem" \
  -Verify 1 -CRL "$pki/crl.pem" -crl_check -tls1_2 -quiet -naccept 1000000 >/dev/null 2>&1 &
spid=$!
wait_port "$port"
run_stime "openssl s_server (10K CRL)" "$spid" "$port"
kill "$spid"

port=$(free_port)
mpid=$(start_mosquitto "$pki" "$port")
run_stime "mosquitto $(/usr/sbin/mosquitto -h 2>/dev/null | awk '/version/{print $3; exit}') (10K CRL)" "$mpid" "$port"
kill "$mpid"
