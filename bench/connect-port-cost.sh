#!/usr/bin/env bash
# Why burst warns past half the ephemeral range per source address (Load/BurstLimits): Linux's connect() tries the
# ports of one parity first and, once those are taken for a (source, destination) pair, scans them all on every
# connect before it tries the other half. This counts the kernel's CPU per connect as one address holds more
# connections, in a network namespace of its own (nothing else's sockets in its tables). Needs root.
# Usage: bench/connect-port-cost.sh [CONNECTIONS] [STEP]   (defaults 18000 1000; at most 19,900: the fd limit)
set -euo pipefail
count=${1:-18000}
step=${2:-1000}
ns=connburst-ports-$$
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
range=$(ip netns exec "$ns" sysctl -n net.ipv4.ip_local_port_range | tr '\t' '-')
echo "## connect() CPU per call by connections held from one source address ($(uname -r), ephemeral range $range, $(date -u +%FT%TZ))"
echo
echo "| held | system+user CPU per connect (us) |"
echo "|---|---|"
ip netns exec "$ns" python3 "$(dirname "$0")/connect-port-cost.py" "$count" "$step" | awk '{ printf "| %s | %s |\n", $1, $2 }'
