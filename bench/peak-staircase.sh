#!/usr/bin/env bash
# The peak SLO rate (avg connect latency < 500 ms, every server core <= 85% busy) found three ways against one server,
# side by side, ROUNDS times (default 3):
#   bisect     `connburst peak` from one agent (steps bracketed, then bisected)
#   staircase  `connburst peak --staircase` from one agent (a coarse staircase, then a fine one)
#   2 agents   two agents on hosts of their own run one staircase (`burst --stages --shard I/2 --start-at`, sharing the
#              monitor's recording by JOIN/LEAVE), then `merge` and `peak --from`; the coarse staircase's stages are
#              the bisect's doubling rates, the fine one four stages between its last pass and first fail
# and the connects each spent. Hosts are network namespaces on a bridge (198.18.0.0/24, as bench/three-hosts.sh): the
# server host runs `serve mqtt` (SERVER=serve, default) or Mosquitto with the 10K CRL (SERVER=mosquitto) and the monitor;
# the single-agent methods run from agent 0's host. The server is fresh for every method and round, and each round
# runs the methods in a rotated order. Prints a markdown section for docs/BENCHMARKS.md.
# Usage: [ROUNDS=3] [SERVER=serve] bench/peak-staircase.sh [STEP_DURATION=4s] [START_RATE=50] [MAX_RATE=3200]
. "$(dirname "$0")/lib.sh"
step=${1:-4s}
start=${2:-50}
max=${3:-3200}
rounds=${ROUNDS:-3}
server=${SERVER:-serve}
[ "$(id -u)" = 0 ] || { echo "bench/peak-staircase.sh: needs root (ip netns add)" >&2; exit 2; }

id=cb-stair-$$
ns_sw=$id-sw ns_srv=$id-srv ns_a0=$id-a0 ns_a1=$id-a1
srv=198.18.0.1 a0=198.18.0.11 a1=198.18.0.21 port=8884 mport=8888 token=stair-$$
work=$(mktemp -d /tmp/connburst-bench-staircase-XXXX)
export CONNBURST_HOME="$work/home"
cleanup() {
  local ns p
  for ns in "$ns_a0" "$ns_a1" "$ns_srv" "$ns_sw"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT
for ns in "$ns_sw" "$ns_srv" "$ns_a0" "$ns_a1"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$ns_sw" link add br0 type bridge
ip -n "$ns_sw" addr add 198.18.0.254/24 dev br0
ip -n "$ns_sw" link set br0 up
i=0
for pair in "$ns_srv:$srv" "$ns_a0:$a0" "$ns_a1:$a1"; do
  ns=${pair%%:*} addr=${pair##*:}
  ip link add eth0 netns "$ns" type veth peer name "p$i" netns "$ns_sw"
  ip -n "$ns_sw" link set "p$i" master br0; ip -n "$ns_sw" link set "p$i" up
  ip -n "$ns" addr add "$addr/24" dev eth0; ip -n "$ns" link set eth0 up
  i=$((i + 1))
done
ns_wait_port() {
  local deadline=$((SECONDS + 60))
  until ip netns exec "$ns_sw" bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "nothing listening on $1:$2" >&2; return 1; }
    sleep 0.2
  done
}
# cb NAMESPACE ARGS...: connburst on a host, bounded to 10 minutes (every load loop here is bounded in time).
cb() {
  local ns=$1; shift
  timeout 600 ip netns exec "$ns" env CONNBURST_MONITOR_TOKEN="$token" CONNBURST_HOME="$CONNBURST_HOME" dotnet "$CONNBURST_DLL" "$@"
}

build_connburst
connburst certs --out "$work/pki" --server-names "localhost,127.0.0.1,$srv" >/dev/null
pki=$work/pki

# A fresh server and its monitor on the server host, warmed up alike for every method; sets spid and mpid.
start_server() {
  if [ "$server" = serve ]; then
    cb "$ns_srv" serve mqtt --pki "$pki" --listen "$srv:$port" --out "$work/server" >"$work/server.log" 2>&1 &
  else
    mosquitto_conf "$pki" "$port" "$srv" >"$work/mosquitto.conf"
    ip netns exec "$ns_srv" /usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/server.log" 2>&1 &
  fi
  spid=$!
  ns_wait_port "$srv" "$port"
  cb "$ns_srv" monitor --listen "$srv:$mport" --pid "$spid" --port "$port" --out "$work/monitor" >"$work/monitor.log" 2>&1 &
  mpid=$!
  ns_wait_port "$srv" "$mport"
  cb "$ns_a0" burst --target "$srv:$port" --pki "$pki" --clients 600 --rate 150 --out "$work/warm" >/dev/null 2>&1 || true
}
# Everything on the server host goes (the monitor runs under timeout and ip netns exec: kill the host's own processes).
stop_server() {
  local p
  for p in $(ip netns pids "$ns_srv"); do kill "$p" 2>/dev/null || true; done
  wait "$mpid" "$spid" 2>/dev/null || true
  sleep 1
}

# Each method prints one line: METHOD PEAK CONNECTS PEAK_JSON.
bisect() {
  local json
  json=$(cb "$ns_a0" peak --target "$srv:$port" --monitor "$srv:$mport" --pki "$pki" --step-duration "$step" \
           --start-rate "$start" --max-rate "$max" --out "$work/bisect" 2>>"$work/errors.log" | tail -1)
  summarize bisect "$json"
}
staircase() {
  local json
  json=$(cb "$ns_a0" peak --staircase --target "$srv:$port" --monitor "$srv:$mport" --pki "$pki" --step-duration "$step" \
           --start-rate "$start" --max-rate "$max" --out "$work/staircase" 2>>"$work/errors.log" | tail -1)
  summarize staircase "$json"
}
# Two agents, one staged plan: the coarse staircase, then (when it bracketed a peak) the fine one; judged after merging.
two_agents() {
  local coarse fine r dir json pass fail
  coarse=$(python3 -c "
r=$start; s=[]
while r <= $max and len(s) < 8: s.append(f'{r:g}:$step'); r *= 2
print(','.join(s))")
  dir=$work/agents-$RANDOM
  run_agents "$coarse" "$dir/coarse"
  json=$(timeout 120 dotnet "$CONNBURST_DLL" peak --from "$dir/coarse/a0" "$dir/coarse/a1" --out "$dir/coarse/peak" 2>>"$work/errors.log" | tail -1)
  read -r pass fail < <(python3 -c "
import json; p = json.load(open('$json'))['peak']; print(p.get('rate') or 0, p.get('failedRate') or 0)")
  if python3 -c "import sys; sys.exit(0 if $pass > 0 and $fail > $pass else 1)"; then
    fine=$(python3 -c "print(','.join(f'{round($pass + ($fail - $pass) * k / 5, 1):g}:$step' for k in range(1, 5)))")
    run_agents "$fine" "$dir/fine"
    json=$(timeout 120 dotnet "$CONNBURST_DLL" peak --from "$dir/fine/a0" "$dir/fine/a1" --out "$dir/fine/peak" 2>>"$work/errors.log" | tail -1)
    summarize "2 agents" "$json" "$dir/coarse/peak" "$pass"
  else
    summarize "2 agents" "$json"
  fi
}
run_agents() {
  local plan=$1 out=$2 at
  mkdir -p "$out"
  at=$(date -u -d '+8 sec' +%Y-%m-%dT%H:%M:%SZ)
  cb "$ns_a0" burst --target "$srv:$port" --pki "$pki" --stages "$plan" \
     --shard 0/2 --start-at "$at" --source-ips "$a0" --monitor "$srv:$mport" --out "$out/a0" >"$out.a0.log" 2>&1 &
  cb "$ns_a1" burst --target "$srv:$port" --pki "$pki" --stages "$plan" \
     --shard 1/2 --start-at "$at" --source-ips "$a1" --monitor "$srv:$mport" --out "$out/a1" >"$out.a1.log" 2>&1 &
  wait
}
# summarize METHOD PEAK_JSON [COARSE_PEAK_DIR COARSE_PASS]: the peak (the fine one's, else the coarse pass) and connects.
summarize() {
  python3 - "$@" <<'PY'
import glob, json, sys
method, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
peak = d["peak"].get("rate") or 0
connects = d["counts"]["attempted"]
if len(sys.argv) > 3:  # two agents: the coarse staircase's connects too, and its pass when the fine one found none higher
    coarse = [json.load(open(f)) for f in glob.glob(sys.argv[3] + "/peak-*.json")]
    connects += sum(c["counts"]["attempted"] for c in coarse)
    peak = max(peak, float(sys.argv[4]))
print(method.replace(" ", "_"), peak, connects, path)
PY
}

echo "## Peak at scale: bisect, staircase, and two agents' staircase ($(machine_facts))"
echo
echo "Command: \`ROUNDS=$rounds SERVER=$server bench/peak-staircase.sh $step $start $max\` (TLS 1.2 mutual, RSA-2048, 10K CRL;"
echo "avg < 500 ms, every core <= 85%; server and agents on namespace hosts of this one 2-core machine)"
echo
echo "| round | method | peak (conn/s) | connects spent |"
echo "|---|---|---|---|"
methods=(bisect staircase two_agents)
: >"$work/all"
for r in $(seq 1 "$rounds"); do
  for k in 0 1 2; do
    m=${methods[$(((r - 1 + k) % 3))]}
    start_server
    line=$($m || echo "$m 0 0 failed")
    stop_server
    echo "$line" >>"$work/all"
    read -r name peak connects _ <<<"$line"
    echo "| $r | ${name//_/ } | $peak | $connects |"
  done
done
echo
python3 - "$work/all" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = {}
for m in ("bisect", "staircase", "2_agents"):
    peaks = [float(r[1]) for r in rows if r[0] == m]
    conns = [int(r[2]) for r in rows if r[0] == m]
    if peaks:
        med[m] = statistics.median(peaks)
        print(f"- {m.replace('_', ' ')}: median peak {med[m]:g} conn/s over {len(peaks)} rounds, median {statistics.median(conns):g} connects")
vals = [v for v in med.values() if v > 0]
if len(vals) == 3:
    spread = (max(vals) - min(vals)) / min(vals)
    print(f"- the three medians lie within {100 * spread:.0f}% of each other (bar: 15%): {'met' if spread <= 0.15 else 'NOT met'}")
else:
    print("- a method found no peak in any round: the medians cannot be compared")
PY
