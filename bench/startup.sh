#!/usr/bin/env bash
# The ways of running connburst side by side (docs/BENCHMARKS.md, "Fast from the first connection"):
#   1. what each is on disk (the build output, the tool package, the single-file binary);
#   2. start-up: wall time and CPU of `connburst --version`, median of REPEATS runs, `dotnet run` beside them;
#   3. a burst's fixed cost: the whole process's CPU for a 1-client burst (1/s) against one Mosquitto, REPEATS runs of
#      each way, the ways interleaved, median (docs/BENCHMARKS.md "Round seven: a burst's fixed cost");
#   4. the generator from its first connect: `burst` of CLIENTS clients at RATE/s against one Mosquitto (mutual TLS
#      1.2, RSA-2048, 10K CRL), the whole process's CPU (start-up included, as a user pays it) per connect, and the
#      same less its --version start-up CPU; ROUNDS rounds, the runtimes in a different order each round.
# Runtimes are bench/lib.sh's runtime_cmd names. CPU is utime+stime of the process and its reaped children.
# Usage: [RUNTIMES="dll tiered r2r sf"] [REPEATS=5] bench/startup.sh [CLIENTS] [RATE] [ROUNDS]  (default 600 100 3)
# A 1-client burst takes about 2 s, so part 3 adds about 2 s x REPEATS x the number of ways.
. "$(dirname "$0")/lib.sh"
clients=${1:-600}
rate=${2:-100}
rounds=${3:-3}
runtimes=${RUNTIMES:-dll tiered r2r sf}
repeats=${REPEATS:-5}
work=$(mktemp -d)
mpids=()
trap 'kill $(jobs -p) "${mpids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
build_connburst
# shellcheck disable=SC2086
prepare_runtimes $runtimes
connburst certs --out "$work/pki" >/dev/null
pki=$work/pki

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
mib() { echo "scale=1; $1 / 1048576" | bc; }
# timed CMD...: "WALL_MS CPU_MS" of one run (CPU from the shell's children times, which include the whole tree).
timed() {
  local t0 t1 c0 c1 me=$BASHPID   # this (sub)shell, the parent that reaps "$@"; read here, not inside $(...)
  c0=$(awk -v hz="$CLK_TCK" '{print int(($16+$17)*1000/hz)}' "/proc/$me/stat")
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  c1=$(awk -v hz="$CLK_TCK" '{print int(($16+$17)*1000/hz)}' "/proc/$me/stat")
  echo "$(((t1 - t0) / 1000000)) $((c1 - c0))"
}

echo "## Ways of running connburst ($(machine_facts))"
echo
echo "Command: \`RUNTIMES=\"$runtimes\" REPEATS=$repeats bench/startup.sh $clients $rate $rounds\`; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| form | on disk |"
echo "|---|---|"
echo "| build output (\`dotnet build\`, bin/Release/net10.0) | $(du -sb --exclude=linux-x64 --exclude=publish "$(dirname "$CONNBURST_DLL")" | awk '{print $1}' | xargs -I{} sh -c 'echo "scale=1; {} / 1048576" | bc') MiB |"
(cd "$BENCH_ROOT" && dotnet pack src/ConnBurst.Cli -c Release -o "$work/feed" -v q -nologo >/dev/null)
echo "| .NET tool package (\`dotnet pack\`: ConnBurst.linux-x64.*.nupkg) | $(mib "$(stat -c %s "$work"/feed/ConnBurst.linux-x64.*.nupkg)") MiB |"
[[ " $runtimes " == *" r2r"* ]] && echo "| ReadyToRun publish, framework-dependent | $(mib "$(du -sb "$R2R_DIR" | cut -f1)") MiB |"
[[ " $runtimes " == *" sf "* ]] && echo "| single-file binary (self-contained, ReadyToRun) | $(mib "$(stat -c %s "$SINGLE_FILE")") MiB |"
[[ " $runtimes " == *" aot "* ]] && echo "| NativeAOT binary (\$AOT_BIN, with its two native libraries) | $(mib "$(du -cb "$AOT_BIN" "$(dirname "$AOT_BIN")"/*.so | tail -1 | cut -f1)") MiB |"
echo
echo "| way of running | --version wall ms (median of $repeats) | --version CPU ms |"
echo "|---|---|---|"
declare -A start_cpu
startup_row() {  # startup_row LABEL CMD...
  local label=$1 walls=() cpus=() w c i
  shift
  "$@" --version >/dev/null 2>&1 || true   # first run: page cache, single-file extraction
  for i in $(seq 1 "$repeats"); do read -r w c <<<"$(timed "$@" --version)"; walls+=("$w"); cpus+=("$c"); done
  printf '| %s | %s | %s |\n' "$label" "$(median "${walls[@]}")" "$(median "${cpus[@]}")"
  LAST_STARTUP_CPU=$(median "${cpus[@]}")
}
startup_row "\`dotnet run -c Release --project src/ConnBurst.Cli --\` (after a build)" \
  dotnet run -c Release --project "$BENCH_ROOT/src/ConnBurst.Cli" --
for r in $runtimes; do
  runtime_cmd "$r"
  startup_row "$r: \`${RUNTIME_CMD[*]#env}\`" "${RUNTIME_CMD[@]}"
  start_cpu[$r]=$LAST_STARTUP_CPU
done

port=$(free_port)
mpid=$(start_mosquitto "$pki" "$port"); mpids+=("$mpid")
echo
echo "a burst's fixed cost: 1 client at 1/s against Mosquitto, whole-process CPU, $repeats runs of each way interleaved:"
echo
echo "| way of running | 1-client burst CPU ms (median of $repeats) | lowest..highest |"
echo "|---|---|---|"
declare -A fixed
for _ in $(seq 1 "$repeats"); do
  for r in $runtimes; do
    runtime_cmd "$r"
    read -r _ cpu <<<"$(timed "${RUNTIME_CMD[@]}" burst --target 127.0.0.1:"$port" --pki "$pki" --clients 1 --rate 1 \
      --out "$work/fixed-$r")"
    fixed[$r]+="$cpu "
  done
done
for r in $runtimes; do
  # shellcheck disable=SC2086
  printf '| %s | %s | %s..%s |\n' "$r" "$(median ${fixed[$r]})" "$(printf '%s\n' ${fixed[$r]} | sort -g | head -1)" \
    "$(printf '%s\n' ${fixed[$r]} | sort -g | tail -1)"
done
echo
echo "burst of $clients clients at $rate/s (held until the last first attempt settles, the default) against Mosquitto, a fresh process each time:"
echo
echo "| round | runtime | connects | burst CPU ms | ms CPU/connect (all-in) | ms CPU/connect less start-up |"
echo "|---|---|---|---|---|---|"
declare -A all_in net
order=($runtimes)
for round in $(seq 1 "$rounds"); do
  for r in "${order[@]}"; do
    runtime_cmd "$r"
    read -r _ cpu <<<"$(timed "${RUNTIME_CMD[@]}" burst --target 127.0.0.1:"$port" --pki "$pki" --clients "$clients" \
      --rate "$rate" --out "$work/results-$r")"
    file=$(ls -t "$work/results-$r"/burst-*.json | head -1)
    n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["connacks"])' "$file")
    a=$(echo "$cpu / $n" | bc -l); b=$(echo "($cpu - ${start_cpu[$r]}) / $n" | bc -l)
    all_in[$r]+="$a "; net[$r]+="$b "
    printf '| %s | %s | %s | %s | %.3f | %.3f |\n' "$round" "$r" "$n" "$cpu" "$a" "$b"
  done
  order=("${order[@]:1}" "${order[0]}")
done
echo
echo "| runtime | median ms CPU/connect (all-in) | less start-up | ratio to tiered (all-in) |"
echo "|---|---|---|---|"
# shellcheck disable=SC2086
base=$(median ${all_in[tiered]:-1})
for r in $runtimes; do
  # shellcheck disable=SC2086
  m=$(median ${all_in[$r]}); m2=$(median ${net[$r]})
  printf '| %s | %.3f | %.3f | %.2fx |\n' "$r" "$m" "$m2" "$(echo "$m / $base" | bc -l)"
done
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
