#!/usr/bin/env bash
# The scale-out proof, the long run: three hosts on this machine, each a network namespace with a veth pair into
# a bridge in a fourth namespace (the switch), addresses from 198.18.0.0/15 (reserved for benchmarking; nothing leaves
# the machine, nothing is added to its own network):
#   server host 198.18.0.1: `serve mqtt` (SERVER=serve) or Mosquitto with the 10K CRL (SERVER=mosquitto) on :8884, and
#                            `monitor --listen 198.18.0.1:8888 --pid <server> --port 8884`
#   agent 0     198.18.0.11, 198.18.0.12: `burst --shard 0/2 --source-ips 198.18.0.11,198.18.0.12`
#   agent 1     198.18.0.21, 198.18.0.22: `burst --shard 1/2 --source-ips 198.18.0.21,198.18.0.22`
#   switch      198.18.0.254: where this script, the orchestrator, sends the monitor's START and STOP from
# Both agents get one --start-at. This script sends START a second before it and STOP after the last agent exited (no
# agent can: agents never talk to each other). Then `merge` (both agents + the monitor's results JSON) and `report`.
# Each client connects once, stays LINGER (default 20s), then DISCONNECTs; its reconnect would be due an hour later,
# after the run's --duration, so there is none. So the server holds about RATE x LINGER connections at a time:
# Mosquitto is one process and the fd limit here is 20,000, so all 20,000 at once would not fit.
# Bounded: the run lasts CLIENTS/RATE + LINGER + 10 s. The namespaces and everything in them go on exit (trap).
# The monitor's CPU per core is the whole machine's (the hosts share its 2 cores); the server process's own CPU is
# its own. Needs root (ip netns) and iproute2; nftables for the per-address SYN counts (skipped without it).
# Usage: bench/three-hosts.sh [CLIENTS=20000] [RATE=200] [SERVER=serve|mosquitto]   (env LINGER=20s, in seconds)
. "$(dirname "$0")/lib.sh"
clients=${1:-20000}
rate=${2:-200}
server=${3:-serve}
linger=${LINGER:-20s}
case $server in serve|mosquitto) ;; *) echo "usage: bench/three-hosts.sh [CLIENTS] [RATE] [serve|mosquitto]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "bench/three-hosts.sh: needs root (ip netns add)" >&2; exit 2; }
[ $((clients % 4)) = 0 ] || { echo "bench/three-hosts.sh: CLIENTS must be a multiple of 4 (2 agents x 2 addresses)" >&2; exit 2; }

id=connburst-bench-$$
ns_sw=$id-switch ns_srv=$id-server ns_a0=$id-agent0 ns_a1=$id-agent1
srv=198.18.0.1
a0=(198.18.0.11 198.18.0.12)
a1=(198.18.0.21 198.18.0.22)
port=8884 mport=8888 # the server host is a network of its own: any port is free there
token=three-hosts-$$  # the monitor listens on a non-loopback address: it asks for a token
work=$(mktemp -d /tmp/connburst-bench-three-hosts-XXXX)
export CONNBURST_HOME="$work/home"

cleanup() {
  # Everything still inside our namespaces was started here: stop it by pid, then delete the namespaces (their veth
  # pairs, bridge and nft rules go with them).
  local ns p
  for ns in "$ns_a0" "$ns_a1" "$ns_srv" "$ns_sw"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  done
  sleep 1
  for ns in "$ns_a0" "$ns_a1" "$ns_srv" "$ns_sw"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT

# The hosts.
for ns in "$ns_sw" "$ns_srv" "$ns_a0" "$ns_a1"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$ns_sw" link add br0 type bridge
ip -n "$ns_sw" addr add 198.18.0.254/24 dev br0
ip -n "$ns_sw" link set br0 up
host() { # host NAMESPACE SWITCH_PORT ADDRESS...
  local ns=$1 swp=$2 a; shift 2
  ip link add eth0 netns "$ns" type veth peer name "$swp" netns "$ns_sw"
  ip -n "$ns_sw" link set "$swp" master br0
  ip -n "$ns_sw" link set "$swp" up
  for a in "$@"; do ip -n "$ns" addr add "$a/24" dev eth0; done
  ip -n "$ns" link set eth0 up
}
host "$ns_srv" port0 "$srv"
host "$ns_a0" port1 "${a0[@]}"
host "$ns_a1" port2 "${a1[@]}"

# ns_wait_port ADDR PORT [SECONDS]: until something at ADDR:PORT accepts a connection from the switch.
ns_wait_port() {
  local deadline=$((SECONDS + ${3:-60}))
  until ip netns exec "$ns_sw" bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "nothing listening on $1:$2" >&2; return 1; }
    sleep 0.2
  done
}
# monitor_cmd COMMAND: one control connection from the switch (AUTH, COMMAND, QUIT); prints the COMMAND's reply.
monitor_cmd() {
  ip netns exec "$ns_sw" bash -c 'exec 3<>/dev/tcp/'"$srv/$mport"'; printf "AUTH %s\n%s\nQUIT\n" "$1" "$2" >&3; cat <&3' _ "$token" "$1" | sed -n 2p
}

build_connburst
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# The PKI with the default 10,000-serial CRL; the server certificate names the server host's address (an IP SAN),
# so the agents verify 198.18.0.1 itself, with no --server-name.
connburst certs --out "$work/pki" --server-names "localhost,127.0.0.1,$srv" >/dev/null

if [ "$server" = serve ]; then
  ip netns exec "$ns_srv" dotnet "$CONNBURST_DLL" serve mqtt --pki "$work/pki" --listen "$srv:$port" \
    --interval 10s --out "$work/server" >"$work/server.log" 2>&1 &
  spid=$!
else
  # lib.sh's Mosquitto configuration (the MQTT benchmark's server), on the server host's address.
  mosquitto_conf "$work/pki" "$port" "$srv" >"$work/mosquitto.conf"
  ip netns exec "$ns_srv" /usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/server.log" 2>&1 &
  spid=$!
fi
ns_wait_port "$srv" "$port" 60

# The server host's kernel counts the SYNs it gets from each agent address on the broker's port.
have_nft=0
if command -v nft >/dev/null; then
  have_nft=1
  ip netns exec "$ns_srv" nft add table inet bench
  ip netns exec "$ns_srv" nft add chain inet bench input '{ type filter hook input priority 0 ; policy accept ; }'
  for a in "${a0[@]}" "${a1[@]}"; do
    ip netns exec "$ns_srv" nft add rule inet bench input ip saddr "$a" tcp dport "$port" 'tcp flags & (syn|ack) == syn' counter
  done
fi

CONNBURST_MONITOR_TOKEN=$token ip netns exec "$ns_srv" dotnet "$CONNBURST_DLL" monitor --listen "$srv:$mport" --pid "$spid" \
  --port "$port" --interval 1s --out "$work/monitor" >"$work/monitor.log" 2>&1 &
ns_wait_port "$srv" "$mport" 60

# The run: CLIENTS/RATE seconds of first attempts, then the last ones' linger, then a margin.
duration=$(( (clients + rate - 1) / rate + ${linger%s} + 10 ))
start_epoch=$(( $(date +%s) + 20 ))
start_at=$(date -u -d "@$start_epoch" +%Y-%m-%dT%H:%M:%SZ)
agent() { # agent I NAMESPACE SOURCE_IPS
  ip netns exec "$2" dotnet "$CONNBURST_DLL" burst --target "$srv:$port" --pki "$work/pki" --clients "$clients" --rate "$rate" \
    --linger "$linger" --reconnect-delay 1h --duration "${duration}s" --connect-timeout 30s --interval 2s \
    --shard "$1/2" --start-at "$start_at" --source-ips "$3" --out "$work/agent$1" >"$work/agent$1.log" 2>&1
}
agent 0 "$ns_a0" "$(IFS=,; echo "${a0[*]}")" &
apid0=$!
agent 1 "$ns_a1" "$(IFS=,; echo "${a1[*]}")" &
apid1=$!
wait_s=$(( start_epoch - 1 - $(date +%s) ))
[ "$wait_s" -le 0 ] || sleep "$wait_s"
started=$(monitor_cmd "START three-hosts $server $clients at $rate/s")
echo "bench/three-hosts.sh: $clients clients at $rate/s from $start_at against $server; monitor: $started" >&2
rc=0
wait "$apid0" || rc=$?
wait "$apid1" || rc=$?
stopped=$(monitor_cmd STOP) # after the last agent
monitor_json=$(grep -Eo 'json=[^ ]+' <<<"$stopped" | cut -d= -f2)
[ "$rc" = 0 ] || { echo "an agent failed (exit $rc):" >&2; tail -3 "$work"/agent*.log >&2; }
syns=""
if [ "$have_nft" = 1 ]; then
  syns=$(ip netns exec "$ns_srv" nft list chain inet bench input | grep -Eo 'saddr [0-9.]+ .* packets [0-9]+' | awk '{print $2 "=" $NF}' | paste -sd' ')
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true

connburst merge "$work/agent0" "$work/agent1" ${monitor_json:+"$monitor_json"} --out-file "$work/merged.json" >"$work/merge.log" 2>&1 \
  || { cat "$work/merge.log" >&2; exit 1; }
connburst report "$work/merged.json" --html "$work/merged.html" >"$work/report.txt" 2>&1 || { cat "$work/report.txt" >&2; exit 1; }

echo "## Scale-out: three namespace hosts, $server ($(machine_facts))"
echo
echo "Command: \`bench/three-hosts.sh $clients $rate $server\` (linger $linger, one --start-at $start_at, each agent $((clients / 2)) clients over its 2 addresses); load average before $load_before, at the end $load_after"
echo
python3 - "$work/merged.json" "$syns" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counts"]; t = d["latency"].get("total", {})
failed = sum(c["failed"].values())
print("| figure | value |")
print("|---|---|")
print(f"| merged attempted / CONNACKs / failures | {c['attempted']:,} / {c['connacks']:,} / {failed:,} {dict(c['failed']) or ''} |")
print(f"| closed by the server | {c.get('other', {}).get('disconnectedByServer', 0)} |")
print(f"| total connect latency p50 / p99 / max (merged exactly) | {t.get('p50', 0):.1f} / {t.get('p99', 0):.1f} / {t.get('max', 0):.1f} ms |")
for p in ("tcp", "tls", "connack"):
    x = d["latency"].get(p)
    if x: print(f"| {p} p50 / p99 | {x['p50']:.1f} / {x['p99']:.1f} ms |")
s = (d.get("monitor") or {}).get("summary") or d.get("server")
if s:
    cpu = s["cpu"]; cores = sorted(cpu["perCore"], key=lambda k: -k["maxBusy"])
    print(f"| server host CPU, busiest core: max / avg busy (whole machine: the hosts share its cores) | core {cores[0]['core']}: {cores[0]['maxBusy']:.1f}% / {cores[0]['avgBusy']:.1f}% |")
    pr = s.get("process")
    if pr: print(f"| server process ({pr['name']}) CPU avg / max, in % of one core; CPU seconds | {pr['cpuAvgPercent']:.1f}% / {pr['cpuMaxPercent']:.1f}%; {pr['cpuSeconds']:.1f} s |")
    so = s.get("sockets")
    if so: print(f"| established at once on the server port (max) / accept queue max | {so.get('establishedMax')} / {so.get('acceptQueueMax')} |")
    print(f"| monitor recording | {s['seconds']:.0f} s, {s['samples']} samples |")
if sys.argv[2]:
    print(f"| SYNs the server host got per agent address (nft) | {sys.argv[2].replace(' ', ', ')} |")
for a in d.get("agents", []):
    st = a.get("start") or {}; g = a.get("generator") or {}; k = a["counts"]
    print(f"| agent {a['shard']} ({a['sourceIps']}) | start offset {st.get('startOffsetMs')} ms (ready {st.get('startMarginMs')} ms early); "
          f"{k['attempted']:,} attempted, {k['connacks']:,} CONNACKs, {k['failed']} failed; CPU {g.get('cpuSeconds')} s ({g.get('cpuMsPerAttempt')} ms/attempt) |")
gen = d.get("generator", {}); lag = gen.get("schedulerLagMs", {})
print(f"| scheduler lag p99 / max (merged) | {lag.get('p99', 0):.1f} / {lag.get('max', 0):.1f} ms{' (fell behind)' if gen.get('fellBehind') else ''} |")
print(f"| outcome | {d['outcome']} |")
PY
echo
echo "bench/three-hosts.sh: merged $work/merged.json, report $work/merged.html" >&2
