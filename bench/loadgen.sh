#!/usr/bin/env bash
# The load generator's own costs, measured side by side with native OpenSSL in one run:
#   1. client CPU per mutual-TLS connect (RSA-2048, TLS 1.2, shared cert) of `connburst burst` vs `openssl s_time -new`,
#      both against the same Mosquitto (require_certificate, 10K CRL), at the same offered rate; and per handshake of
#      `burst --tls-only` (no MQTT), which does what s_time does, so its ratio is like for like;
#   2. RSS per idle connected client, two ways: all-in ((RSS holding N) - (RSS holding 1)) / (N - 1), which also counts
#      what a busy process grows once (tier-1 JIT code, thread-pool threads, the GC's gen0 budget), and the marginal
#      slope between 1,000 and N held clients, which is what bench/server-memory.sh reports for servers;
#   3. the highest offered rate at which the scheduler's lag p99 stays under 10 ms (steps against Mosquitto).
# CPU comes from /proc/PID/stat deltas, counted between interval-CSV rows, so start-up and JIT are excluded.
# Usage: bench/loadgen.sh [SECONDS_PER_CPU_RUN] [IDLE_CLIENTS]   (defaults 20 and 3000; about 5 minutes in all)
. "$(dirname "$0")/lib.sh"
secs=${1:-20}
steps=${STEPS:-123}   # STEPS=3 runs only the rate steps
idle=${2:-3000}
engines=${ENGINES:-openssl sslstream}   # --tls-engine values measured side by side
work=$(mktemp -d)
# start_mosquitto runs in a command substitution, so its PID is not one of our jobs: remember it for the trap.
mpids=()
trap 'kill $(jobs -p) "${mpids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
connburst certs --out "$work/pki" >/dev/null
pki=$work/pki

# csv_rows FILE: interval rows so far.  csv_connacks FILE: connacks summed over the "counts" rows.
csv_rows() { if [ -f "$1" ]; then grep -c ',counts,' "$1" || true; else echo 0; fi; }
csv_connacks() { awk -F, '$2=="counts"{s+=$4} END{print s+0}' "$1"; }
csv_col() { awk -F, -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i; next} $2=="counts"{print $k}' "$1"; }
wait_rows() { local f=$1 n=$2 deadline=$((SECONDS + 120)); while [ "$(csv_rows "$f")" -lt "$n" ]; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.05; done; }
rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

echo "## Load generator ($(machine_facts))"
echo
echo "Command: \`bench/loadgen.sh $secs $idle\`"
echo

echo "| figure | bar | measured |"
echo "|---|---|---|"

# --- 1. CPU per connect: connburst burst vs openssl s_time, same Mosquitto, same rate --------------------------
if [[ $steps == *1* ]]; then
rate=100
port=$(free_port)
mpid=$(start_mosquitto "$pki" "$port"); mpids+=("$mpid")
# cswitches FILE: the context-switches count `perf stat -x,` wrote into FILE (0 when perf is missing or failed).
cswitches() { awk -F, '/context-switches/{print $1+0; f=1} END{if(!f) print 0}' "$1" 2>/dev/null || echo 0; }
have_perf() { command -v perf >/dev/null && perf stat -e context-switches -x, -o /dev/null -- true 2>/dev/null; }
# burst_cpu NAME ENGINE [BURST_OPTION...]: generator CPU ms per CONNACK (with --tls-only: per handshake) over $secs
# steady-state seconds; sets cb_n to the CONNACKs counted and cb_cs to the generator's context switches per CONNACK over
# the same window (perf stat, every thread). NAME keeps each run's files apart.
burst_cpu() {
  local name=$1 engine=$2 res=$work/r1-$1 csv gpid bpid c0 c1 n0 n1 r0 ppid=
  shift 2
  connburst burst --target "127.0.0.1:$port" --pki "$pki" --tls-engine "$engine" --clients $((rate * 4)) --rate $rate --linger 2s \
    --duration $((secs + 12))s --interval 1s --connect-timeout 30s --out "$res" "$@" >"$work/burst1-$name.out" 2>&1 &
  bpid=$!
  while [ -z "$(ls "$res"/*-intervals.csv 2>/dev/null)" ]; do sleep 0.1; done
  csv=$(ls "$res"/*-intervals.csv)
  gpid=$(pgrep -f -n "connburst.dll burst --target 127.0.0.1:$port")
  wait_rows "$csv" 5
  if have_perf; then perf stat -e context-switches -x, -o "$work/cs-$name" -p "$gpid" >/dev/null 2>&1 & ppid=$!; fi
  c0=$(cpu_ms "$gpid"); n0=$(csv_connacks "$csv"); r0=$(csv_rows "$csv")
  wait_rows "$csv" $((r0 + secs))
  c1=$(cpu_ms "$gpid"); n1=$(csv_connacks "$csv")
  if [ -n "$ppid" ]; then kill -INT "$ppid"; wait "$ppid" || true; fi
  wait "$bpid" || true
  cb_n=$((n1 - n0))
  cb_ms=$(echo "($c1 - $c0) / ($n1 - $n0)" | bc -l)
  cb_cs=$(echo "$(cswitches "$work/cs-$name") / ($n1 - $n0)" | bc -l)
}
declare -A cpu_of n_of cs_of
for e in $engines; do burst_cpu "$e" "$e"; cpu_of[$e]=$cb_ms; n_of[$e]=$cb_n; cs_of[$e]=$cb_cs; done
# The same run with nothing of MQTT: TCP, the handshake, a close_notify at the linger's end (what s_time -new does).
burst_cpu tls-only openssl --tls-only; tlsonly_ms=$cb_ms; tlsonly_n=$cb_n; tlsonly_cs=$cb_cs

s_conns=0; s_cpu=0
stime_perf=(); if have_perf; then stime_perf=(perf stat -e context-switches -x, -o "$work/cs-stime" --); fi
"${stime_perf[@]}" openssl s_time -connect "127.0.0.1:$port" -new -time "$secs" -cert "$pki/client.pem" -key "$pki/client.key" -CAfile "$pki/ca.pem" \
  >"$work/stime.out" 2>&1 &
tpid=$!
# Under perf stat, s_time is perf's child: read the child's CPU.
if [ ${#stime_perf[@]} -gt 0 ]; then
  for _ in $(seq 50); do cpid=$(pgrep -P "$tpid" openssl || true); [ -n "$cpid" ] && break; sleep 0.05; done
else cpid=$tpid; fi
while kill -0 "$cpid" 2>/dev/null; do s_cpu=$(cpu_ms "$cpid" 2>/dev/null || echo "$s_cpu"); sleep 0.2; done
wait "$tpid" || true
s_conns=$(grep -Eo '^[0-9]+ connections in' "$work/stime.out" | head -1 | grep -Eo '^[0-9]+' || echo 0)
st_ms=$(echo "$s_cpu / $s_conns" | bc -l)
kill "$mpid"; wait "$mpid" 2>/dev/null || true

for e in $engines; do
  printf '| client CPU per mutual-TLS connect, `burst --tls-engine %s` at %d/s (linger 2s, reconnect waves) | <= 4 ms (stretch < 2 ms); <= 1.0x s_time | %.2f ms (%d CONNACKs over %ss) |\n' \
    "$e" "$rate" "${cpu_of[$e]}" "${n_of[$e]}" "$secs"
done
printf '| client CPU per TLS handshake, `burst --tls-only --tls-engine openssl` at %d/s (linger 2s, no MQTT) | report | %.2f ms (%d handshakes over %ss) |\n' \
  "$rate" "$tlsonly_ms" "$tlsonly_n" "$secs"
printf '| client CPU per connect, `openssl s_time -new` (closed loop, same Mosquitto, same run) | reference | %.2f ms (%d connects in %ss) |\n' \
  "$st_ms" "$s_conns" "$secs"
for e in $engines; do
  printf '| ratio connburst (%s) / s_time | <= 0.8 (stretch 0.6) | %.2f |\n' "$e" "$(echo "${cpu_of[$e]} / $st_ms" | bc -l)"
done
# The crypto floor of one client handshake, measured now: what the client must compute (its RSA-2048 CertificateVerify
# sign, the verifies of the server's certificate and of its key-exchange signature, an X25519 key pair and the shared
# secret), from openssl speed's per-operation times.
floor_ms=$(openssl speed -seconds 2 rsa2048 ecdhx25519 2>/dev/null | awk '
  /^rsa 2048 bits/ { sign = $(NF-1); verify = $NF }
  /ecdh \(X25519\)/ { x = $NF }
  END { if (sign > 0 && verify > 0 && x > 0) printf "%.4f", 1000 * (1/sign + 2/verify + 2/x) }')
if [ -n "$floor_ms" ]; then
  printf '| crypto floor per client handshake (`openssl speed`: RSA-2048 sign + 2 verifies + 2 X25519 operations) | reference | %.3f ms |\n' "$floor_ms"
  for e in $engines; do
    printf '| connburst (%s) as a multiple of the floor | report | %.2fx |\n' "$e" "$(echo "${cpu_of[$e]} / $floor_ms" | bc -l)"
  done
  printf '| `openssl s_time -new` as a multiple of the floor | report | %.2fx |\n' "$(echo "$st_ms / $floor_ms" | bc -l)"
fi
printf '| ratio connburst --tls-only (openssl) / s_time (like for like: a handshake each) | report | %.2f |\n' \
  "$(echo "$tlsonly_ms / $st_ms" | bc -l)"
if [ ${#stime_perf[@]} -gt 0 ]; then
  for e in $engines; do
    printf '| context switches per connect (`perf stat -e context-switches`, every thread), `burst --tls-engine %s` | report | %.1f |\n' "$e" "${cs_of[$e]}"
  done
  printf '| context switches per handshake, `burst --tls-only --tls-engine openssl` | report | %.1f |\n' "$tlsonly_cs"
  printf '| context switches per connect, `openssl s_time -new` | reference | %.1f |\n' "$(echo "$(cswitches "$work/cs-stime") / $s_conns" | bc -l)"
fi
echo "| load average at the end of the CPU runs | noise | $(cut -d' ' -f1-3 /proc/loadavg) |"

fi

# --- 2. RSS per idle connected client ----------------------------------------------------------------------------
if [[ $steps == *2* ]]; then
# All-in: RSS of a generator holding N idle clients minus that of one holding a single client (same start-up and code
# paths), divided by N-1: everything a held connection costs, and what a busy process grows once besides. Marginal:
# the slope between 1,000 and N held clients, the same figure bench/server-memory.sh gives for servers.
port=$(free_port)
mpid=$(start_mosquitto "$pki" "$port"); mpids+=("$mpid")
# hold_rss N: RSS (KiB) of a burst holding N idle clients, read 8 s after every first attempt settled.
hold_rss() {
  local n=$1 engine=$2 res=$work/r2-$1-$2 csv gpid deadline=$((SECONDS + 150))
  connburst burst --target "127.0.0.1:$port" --pki "$pki" --tls-engine "$engine" --clients "$n" --rate 300 --duration 5m --interval 1s --connect-timeout 60s \
    --out "$res" >"$work/burst2.out" 2>&1 &
  local bpid=$!
  while [ -z "$(ls "$res"/*-intervals.csv 2>/dev/null)" ]; do sleep 0.1; done
  csv=$(ls "$res"/*-intervals.csv)
  gpid=$(pgrep -f -n "connburst.dll burst --target 127.0.0.1:$port")
  until [ "$(csv_col "$csv" attempted | paste -sd+ | bc)" -ge "$n" ] 2>/dev/null; do [ $SECONDS -lt $deadline ] || break; sleep 0.2; done
  sleep 8
  held=$(csv_col "$csv" connectedNow | tail -1)
  rss_kib "$gpid"
  kill -TERM "$bpid"; wait "$bpid" || true
}
for e in $engines; do
  m0=$(hold_rss 1 "$e")
  mk=$(hold_rss 1000 "$e")
  heldk=$(csv_col "$(ls "$work/r2-1000-$e"/*-intervals.csv)" connectedNow | tail -2 | head -1)
  m1=$(hold_rss "$idle" "$e")
  held1=$(csv_col "$(ls "$work/r2-$idle-$e"/*-intervals.csv)" connectedNow | tail -2 | head -1)
  printf '| RSS per idle connected client, `--tls-engine %s`, all-in: ((RSS holding %d) - (RSS holding 1)) / %d | <= 24 KiB | %.1f KiB (RSS %d -> %d MiB) |\n' \
    "$e" "$held1" "$((held1 - 1))" "$(echo "($m1 - $m0) / ($held1 - 1)" | bc -l)" "$((m0 / 1024))" "$((m1 / 1024))"
  printf '| RSS per idle connected client, `--tls-engine %s`, marginal: ((RSS holding %d) - (RSS holding %d)) / %d | <= 24 KiB | %.1f KiB (RSS %d -> %d MiB) |\n' \
    "$e" "$held1" "$heldk" "$((held1 - heldk))" "$(echo "($m1 - $mk) / ($held1 - $heldk)" | bc -l)" "$((mk / 1024))" "$((m1 / 1024))"
done
kill "$mpid"; wait "$mpid" 2>/dev/null || true

fi

# --- 3. Highest rate with scheduler lag p99 < 10 ms -------------------------------------------------------------
if [[ $steps == *3* ]]; then
best=0
rows=""
for r in 100 200 300 400 600 800; do
  res=$work/r3-$r
  # A fresh broker per step: the previous step's unfinished handshakes must not load this one.
  port=$(free_port)
  mpid=$(start_mosquitto "$pki" "$port"); mpids+=("$mpid")
  # Each attempt a new client, held: the offered rate is never capped by a small client population.
  connburst burst --target "127.0.0.1:$port" --pki "$pki" --clients $((r * 8)) --rate $r --duration 8s --interval 2s \
    --connect-timeout 30s --out "$res" >"$work/burst3.out" 2>&1 || true
  json=$(ls "$res"/*.json 2>/dev/null | head -1 || true)
  if [ -z "$json" ]; then rows+="| $r/s | run failed: $(tail -1 "$work/burst3.out") | | | |"$'\n'; kill "$mpid"; continue; fi
  read -r lag99 lagmax achieved fails < <(python3 - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = d["generator"]; iv = d["intervals"]
# steady state: skip the first interval (start-up)
rates = [i["values"]["attemptsPerSec"] for i in iv[1:-1]] or [0]
print(g["schedulerLagMs"]["p99"], g["schedulerLagMs"]["max"], sum(rates) / len(rates), sum(d["counts"]["failed"].values()))
PY
)
  rows+=$(printf '| %d/s | %.1f/s | %.2f ms | %.1f ms | %s |' "$r" "$achieved" "$lag99" "$lagmax" "$fails")$'\n'
  if (( $(echo "$lag99 < 10" | bc -l) )); then best=$r; fi
  kill "$mpid"; wait "$mpid" 2>/dev/null || true
done
echo "| highest offered rate with scheduler lag p99 < 10 ms (8 s steps against co-located Mosquitto) | report | $best/s |"
echo
echo "| offered | attempts/s achieved | scheduler lag p99 | lag max | failed |"
echo "|---|---|---|---|---|"
printf '%s' "$rows"
fi
