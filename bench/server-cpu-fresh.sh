# Sourced by bench/server-cpu.sh when WARMUP is set: server CPU per full MQTT connect of a freshly started server
# (usage and method in server-cpu.sh's header). Expects lib.sh, $rounds and $warmup.
connects=${CONNECTS:-600}
runtimes=${RUNTIMES:-dll tiered}
concurrency=6
work=$(mktemp -d)
mpids=()
trap 'kill $(jobs -p) "${mpids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
prepare_runtimes $runtimes
connburst certs --out "$work/pki" >/dev/null
pki=$work/pki
client=$BENCH_ROOT/bench/mqtt-connects.py

# start_server WHO PORT -> prints its PID (ConnBurst runtimes, or "mosquitto").
start_server() {
  if [ "$1" = mosquitto ]; then start_mosquitto "$pki" "$2"; return; fi
  runtime_cmd "$1"
  "${RUNTIME_CMD[@]}" serve mqtt --pki "$pki" --listen "127.0.0.1:$2" --interval 1h --out "$work/results" \
    >"$work/$1.out" 2>&1 &
  echo $!
}

# fresh_round WHO -> "SERVER_CPU_MS FAILED": a new server, WARMUP connects, then CONNECTS counted ones.
fresh_round() {
  local who=$1 port pid s0 s1 ok failed
  port=$(free_port)
  pid=$(start_server "$who" "$port")
  [ "$who" = mosquitto ] && mpids+=("$pid")
  wait_port "$port" 60
  python3 "$client" 127.0.0.1 "$port" "$pki" "$warmup" "$concurrency" >/dev/null
  s0=$(cpu_ms "$pid")
  read -r ok failed < <(python3 "$client" 127.0.0.1 "$port" "$pki" "$connects" "$concurrency" 2>>"$work/client.err" || true)
  s1=$(cpu_ms "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$((s1 - s0)) $((connects - ${ok:-0}))"
}

name_of() { case $1 in mosquitto) echo "Mosquitto" ;; *) echo "serve mqtt ($1)" ;; esac; }
echo "## Server CPU per connect of a fresh server ($(machine_facts))"
echo
echo "Command: \`WARMUP=$warmup CONNECTS=$connects RUNTIMES=\"$runtimes\" bench/server-cpu.sh - $rounds\` (bench/mqtt-connects.py,"
echo "Python's ssl module: full MQTT v5 connects over mutual TLS 1.2, RSA-2048, CRL of 10,000 serials, $concurrency at a time;"
echo "each server started anew every round, $warmup connects not counted, then $connects counted); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | server | ms CPU/connect | ratio to Mosquitto (this round) |"
echo "|---|---|---|---|"
declare -A list_of ratios_of
order=(mosquitto $runtimes)
for r in $(seq 1 "$rounds"); do
  declare -A this_round=() note_of=()
  for who in "${order[@]}"; do
    read -r cpu failed <<<"$(fresh_round "$who")"
    per=$(echo "$cpu / $connects" | bc -l)
    this_round[$who]=$per
    list_of[$who]+="$per "
    note_of[$who]=""; [ "$failed" -gt 0 ] && note_of[$who]=" ($failed failed: $(tail -1 "$work/client.err"))"
  done
  for who in "${order[@]}"; do
    ratio=$(echo "${this_round[$who]} / ${this_round[mosquitto]}" | bc -l)
    ratios_of[$who]+="$ratio "
    printf '| %s | %s | %.3f%s | %.2fx |\n' "$r" "$(name_of "$who")" "${this_round[$who]}" "${note_of[$who]}" "$ratio"
  done
  # A different order next round, so no runtime is always measured right after Mosquitto or at the same point of the load.
  order=("${order[@]:1}" "${order[0]}")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| server | median ms CPU/connect | ratio to Mosquitto's median | rounds' ratios (median; lowest..highest) |"
echo "|---|---|---|---|"
# shellcheck disable=SC2086
mos=$(median ${list_of[mosquitto]})
for who in mosquitto $runtimes; do
  # shellcheck disable=SC2086
  m=$(median ${list_of[$who]})
  # shellcheck disable=SC2086
  range=$(printf '%s\n' ${ratios_of[$who]} | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%.2f..%.2f", lo, hi}')
  # shellcheck disable=SC2086
  printf '| %s | %.3f | **%.2fx** | %.2fx; %s |\n' "$(name_of "$who")" "$m" "$(echo "$m / $mos" | bc -l)" "$(median ${ratios_of[$who]})" "$range"
done
echo
echo "Bar: serve mqtt <= 0.7x Mosquitto over the first $connects connects after $warmup (stretch 0.5x)."
