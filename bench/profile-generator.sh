#!/usr/bin/env bash
# Where the generator's CPU goes, beside openssl s_time -new against the same Mosquitto: perf record -g of
# `burst` at 150 connects/s (linger 2s: every connect a full mutual-TLS handshake, CONNECT, CONNACK, DISCONNECT,
# close) for 15 s from 8 s into the run, then of s_time for 15 s; prints the shares by library and by thread.
# Needs perf. Usage: bench/profile-generator.sh [OUT_DIR]   (keeps perf.data files there; about 1 minute)
. "$(dirname "$0")/lib.sh"
out=${1:-$(mktemp -d)}
mkdir -p "$out"
mpid=""
trap 'kill $(jobs -p) $mpid 2>/dev/null || true' EXIT
build_connburst
connburst certs --out "$out/pki" --force >/dev/null
pki=$out/pki
port=$(free_port)
mpid=$(start_mosquitto "$pki" "$port")
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$CONNBURST_DLL" burst --target "127.0.0.1:$port" --pki "$pki" \
  --clients 600 --rate 150 --linger 2s --duration 30s --interval 1s --connect-timeout 30s --out "$out/results" >"$out/burst.out" 2>&1 &
bpid=$!
sleep 8
gpid=$(pgrep -f -n "connburst.dll burst --target 127.0.0.1:$port")
perf record -g -F 999 -p "$gpid" -o "$out/generator.data" -- sleep 15 >/dev/null 2>&1
wait "$bpid" || true
perf record -g -F 999 -o "$out/stime.data" -- openssl s_time -connect "127.0.0.1:$port" -new -time 15 \
  -cert "$pki/client.pem" -key "$pki/client.key" -CAfile "$pki/ca.pem" >"$out/stime.out" 2>&1 || true
echo "## Generator profile ($(machine_facts)); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Command: \`bench/profile-generator.sh\`"
for f in generator stime; do
  echo; echo "$f, by library:"; perf report -i "$out/$f.data" --no-children -q -g none --sort dso 2>/dev/null | head -8
done
echo; echo "generator, by thread:"; perf report -i "$out/generator.data" --no-children -q -g none --sort comm 2>/dev/null | head -8
grep -E "outcome|generator:" "$out/burst.out" || true
grep -E "connections in" "$out/stime.out" | head -1 || true
