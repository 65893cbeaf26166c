# Shared shell helpers for bench/ scripts. Source it: `. "$(dirname "$0")/lib.sh"`.
# Every figure is measured from /proc (CPU ticks of a PID), every load is bounded in time, everything on loopback.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONNBURST_DLL="$BENCH_ROOT/src/ConnBurst.Cli/bin/Release/net10.0/connburst.dll"
CLK_TCK=$(getconf CLK_TCK)

build_connburst() { (cd "$BENCH_ROOT" && dotnet build -c Release src/ConnBurst.Cli -v q -nologo >/dev/null); }
# For foreground use only: started with &, $! would be the subshell running the function, not dotnet.
connburst() { dotnet "$CONNBURST_DLL" "$@"; }

# free_port: a free loopback TCP port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# cpu_ms PID: user+system CPU of PID and its reaped children, in milliseconds.
cpu_ms() { awk -v hz="$CLK_TCK" '{ print int(($14+$15+$16+$17) * 1000 / hz) }' "/proc/$1/stat"; }

# wait_port PORT [SECONDS]: until something listens on 127.0.0.1:PORT.
wait_port() {
  local deadline=$((SECONDS + ${2:-20}))
  until (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "nothing listening on port $1" >&2; return 1; }
    sleep 0.1
  done
}

# mosquitto_conf PKI_DIR PORT [ADDRESS]: the MQTT benchmark's server configuration (mutual TLS 1.2,
# require_certificate, the CRL), listening on ADDRESS (default 127.0.0.1).
mosquitto_conf() {
  cat <<CONF
per_listener_settings true
listener $2 ${3:-127.0.0.1}
protocol mqtt
cafile $1/ca.pem
certfile $1/server.pem
keyfile $1/server.key
crlfile $1/crl.pem
require_certificate true
use_identity_as_username true
tls_version tlsv1.2
allow_anonymous true
max_connections -1
# Run as the invoking user: mosquitto drops root to "mosquitto", which cannot read our 0600 keys.
user root
CONF
}

# start_mosquitto PKI_DIR PORT -> prints PID.
start_mosquitto() {
  local pki=$1 port=$2 dir
  dir=$(mktemp -d)
  mosquitto_conf "$pki" "$port" >"$dir/mosquitto.conf"
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" >"$dir/log" 2>&1 &
  echo $!
  wait_port "$port" 10
}

# machine_facts: one markdown line of what the figures ran on.
machine_facts() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r), $(openssl version | cut -d' ' -f1-2), .NET $(dotnet --version), $(date -u +%Y-%m-%d)"
}

# Ways of running connburst, by name (docs/DECISIONS.md "Cli: how it runs").
# Each names its tiering explicitly (an environment variable wins over runtimeconfig.json), except "dll", "r2r" and "sf",
# which run as the project ships them:
#   dll         dotnet connburst.dll as built (the project's runtimeconfig: TieredCompilation off)
#   tiered      dotnet connburst.dll, DOTNET_TieredCompilation=1 (.NET's default: tier 0, then tier 1 with dynamic PGO)
#   pgo0        tiered with DOTNET_TieredPGO=0 (no instrumented tier between tier 0 and tier 1)
#   tc0         dotnet connburst.dll, DOTNET_TieredCompilation=0 (each method compiled fully optimised at its first call)
#   delay0      tiered with DOTNET_TC_CallCountingDelayMs=0 (tier-up without waiting for 100 ms free of new tier-0 code)
#   qjl0        tiered with DOTNET_TC_QuickJitForLoops=0 (methods with loops skip tier 0)
#   r2r         a framework-dependent ReadyToRun publish (linux-x64) as built
#   r2r-tiered  that publish with DOTNET_TieredCompilation=1 (precompiled code, hot methods rejitted at tier 1)
#   r2r-tc0     that publish with DOTNET_TieredCompilation=0 (precompiled code, never rejitted)
#   sf          the self-contained single-file publish (README), $SINGLE_FILE or built here
#   aot         a NativeAOT binary, $AOT_BIN (not built here: the project does not publish NativeAOT, DECISIONS.md says why)
# runtime_cmd NAME sets the array RUNTIME_CMD: env assignments, then the program, ready for "${RUNTIME_CMD[@]}" ARGS.
R2R_DIR=${R2R_DIR:-$BENCH_ROOT/src/ConnBurst.Cli/bin/bench-r2r}
SINGLE_FILE=${SINGLE_FILE:-$BENCH_ROOT/src/ConnBurst.Cli/bin/bench-single-file/connburst}
publish_r2r() {
  (cd "$BENCH_ROOT" && dotnet publish src/ConnBurst.Cli -c Release -r linux-x64 --no-self-contained -p:PublishReadyToRun=true \
    -p:SatelliteResourceLanguages=en -o "$R2R_DIR" -v q -nologo >/dev/null)
}
publish_single_file() {
  (cd "$BENCH_ROOT" && dotnet publish src/ConnBurst.Cli -c Release -p:PublishProfile=linux-x64-single-file \
    -o "$(dirname "$SINGLE_FILE")" -v q -nologo >/dev/null)
}
runtime_cmd() {
  case $1 in
    dll) RUNTIME_CMD=(env dotnet "$CONNBURST_DLL") ;;
    tiered) RUNTIME_CMD=(env DOTNET_TieredCompilation=1 dotnet "$CONNBURST_DLL") ;;
    pgo0) RUNTIME_CMD=(env DOTNET_TieredCompilation=1 DOTNET_TieredPGO=0 dotnet "$CONNBURST_DLL") ;;
    tc0) RUNTIME_CMD=(env DOTNET_TieredCompilation=0 dotnet "$CONNBURST_DLL") ;;
    nor2r) RUNTIME_CMD=(env DOTNET_TieredCompilation=0 DOTNET_ReadyToRun=0 dotnet "$CONNBURST_DLL") ;;
    je) RUNTIME_CMD=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 dotnet "$CONNBURST_DLL") ;;
    tcm) RUNTIME_CMD=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 dotnet "$CONNBURST_DLL") ;;
    delay0) RUNTIME_CMD=(env DOTNET_TieredCompilation=1 DOTNET_TC_CallCountingDelayMs=0 dotnet "$CONNBURST_DLL") ;;
    qjl0) RUNTIME_CMD=(env DOTNET_TieredCompilation=1 DOTNET_TC_QuickJitForLoops=0 dotnet "$CONNBURST_DLL") ;;
    r2r) RUNTIME_CMD=(env "$R2R_DIR/connburst") ;;
    r2r-tiered) RUNTIME_CMD=(env DOTNET_TieredCompilation=1 "$R2R_DIR/connburst") ;;
    r2r-tc0) RUNTIME_CMD=(env DOTNET_TieredCompilation=0 "$R2R_DIR/connburst") ;;
    r2r-pgo0) RUNTIME_CMD=(env DOTNET_TieredCompilation=1 DOTNET_TieredPGO=0 "$R2R_DIR/connburst") ;;
    sf) RUNTIME_CMD=(env "$SINGLE_FILE") ;;
    aot) [ -x "${AOT_BIN:-}" ] || { echo "runtime aot: set AOT_BIN to a NativeAOT connburst" >&2; return 2; }
         RUNTIME_CMD=(env "$AOT_BIN") ;;
    *) echo "unknown runtime '$1' (dll tiered pgo0 tc0 nor2r delay0 qjl0 r2r r2r-tiered r2r-tc0 r2r-pgo0 sf aot)" >&2; return 2 ;;
  esac
}
# prepare_runtimes NAME...: builds the publishes those runtimes need.
prepare_runtimes() {
  local r
  for r in "$@"; do runtime_cmd "$r" >/dev/null || return 2; done
  [[ " $* " == *" r2r"* ]] && publish_r2r
  [[ " $* " == *" sf "* ]] && publish_single_file
  return 0
}

# stop_pids PID...: SIGTERM to each, up to 20 s for them to exit (a monitor writes its recording on SIGTERM), then
# SIGKILL to what is left.
stop_pids() {
  local p alive
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.2; done
  for p in "$@"; do kill -9 "$p" 2>/dev/null || true; done
}
