#!/usr/bin/env bash
# Two generator builds side by side: both run `burst` against one Mosquitto (10K CRL, mutual TLS 1.2) at the same
# time and rate, and each one's CPU per CONNACK is counted over the same window, so a busy machine slows both alike
# and the ratio B/A is the figure (changes of a few percent are lost between runs minutes apart).
# Usage: bench/generator-ab.sh DLL_A DLL_B [RATE] [SECS]   (defaults 60/s each, 30 s; about SECS + 30 s)
# DLL_A and DLL_B are connburst.dll files of two builds (a worktree of main and this checkout, say), or one dll twice
# with ENV_A / ENV_B set to environment assignments for that side (e.g. ENV_B="GLIBC_TUNABLES=glibc.malloc.mxfast=0").
. "$(dirname "$0")/lib.sh"
A=${1:?usage: bench/generator-ab.sh DLL_A DLL_B [RATE] [SECS]} B=${2:?usage: bench/generator-ab.sh DLL_A DLL_B [RATE] [SECS]}
rate=${3:-60} secs=${4:-30}
for f in "$A" "$B"; do [ -f "$f" ] || { echo "no such dll: $f" >&2; exit 2; }; done
out=$(mktemp -d)
mpid=""
trap 'kill $(jobs -p) $mpid 2>/dev/null || true' EXIT
connburst certs --out "$out/pki" --force >/dev/null
port=$(free_port)
mpid=$(start_mosquitto "$out/pki" "$port")
declare -A pid
for x in A B; do
  env_of=ENV_$x
  # shellcheck disable=SC2086
  env ${!env_of:-} dotnet "${!x}" burst --target "127.0.0.1:$port" --pki "$out/pki" --clients $((rate * 4)) --rate "$rate" --linger 2s \
    --duration $((secs + 15))s --interval 1s --connect-timeout 30s --out "$out/res$x" >"$out/$x.out" 2>&1 &
  pid[$x]=$!
done
sleep 10   # past start-up and the first reconnect wave
declare -A c0 c1
for x in A B; do c0[$x]=$(cpu_ms "${pid[$x]}"); done
sleep "$secs"
for x in A B; do c1[$x]=$(cpu_ms "${pid[$x]}"); done
wait "${pid[A]}" "${pid[B]}" || true
# CONNACKs of the same window: the 1 s interval rows in (10, 10 + SECS].
acks() { awk -F, -v lo=10 -v hi=$((10 + secs)) '$2 == "counts" && $1 > lo && $1 <= hi { s += $4 } END { print s + 0 }' "$out"/res$1/*-intervals.csv; }
na=$(acks A); nb=$(acks B)
ms() { echo "(${c1[$1]} - ${c0[$1]}) / $2" | bc -l; }
printf '| %s | %.3f ms (%d CONNACKs) | %.3f ms (%d CONNACKs) | %.3f | %s |\n' "$(date -u +%H:%M)" "$(ms A "$na")" "$na" \
  "$(ms B "$nb")" "$nb" "$(echo "$(ms B "$nb") / $(ms A "$na")" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
