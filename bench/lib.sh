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
