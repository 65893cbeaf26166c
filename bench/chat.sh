#!/usr/bin/env bash
# Chat benchmark (docs/BENCHMARKS.md "## Chat"): `serve chat` and `connburst chat` on loopback.
#   1. 200 clients in 10 rooms (20 members each) at several aggregate send rates, 10 s each:
#      messages/s sent, deliveries/s (every member's copy), p50/p99 round trip, losses, server CPU per delivery.
#   2. TLS 1.2 vs TLS 1.3 handshake time, 200 clients connecting at once, `--compare tls12,tls13`, REPEATS times side by side.
# Usage: bench/chat.sh [RATES (default "500 2000 5000")] [REPEATS (default 3)]. Every run is bounded (about 15 s each).
. "$(dirname "$0")/lib.sh"
RATES=${1:-"500 2000 5000"}
REPEATS=${2:-3}
build_connburst
work=$(mktemp -d)
export CONNBURST_HOME="$work/home"
port=$(free_port)
# dotnet itself (not the connburst function) so that $! is the server's PID for cpu_ms. TERM, not INT: a background job
# of a non-interactive shell starts with SIGINT ignored.
dotnet "$CONNBURST_DLL" serve chat --listen "127.0.0.1:$port" --tls any --interval 0 >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
wait_port "$port" 60

echo "## Chat ($(machine_facts))"
echo
echo "Command: \`bench/chat.sh \"$RATES\" $REPEATS\`"
echo
echo "| offered rate (msg/s) | sent/s | deliveries/s | round trip p50 (ms) | p99 (ms) | max (ms) | lost | server CPU per delivery (µs, incl. the 201 handshakes) |"
echo "|---|---|---|---|---|---|---|---|"
for rate in $RATES; do
  messages=$(( rate * 10 / 200 + 1 ))
  before=$(cpu_ms $server)
  json=$(connburst chat 127.0.0.1 "$port" tls13 200 "$messages" 10 --rooms 10 --rate "$rate" --out "$work/r" | tail -1)
  after=$(cpu_ms $server)
  python3 - "$json" "$before" "$after" "$rate" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); before, after, rate = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
c, rt, o = d["chat"], d["latency"]["roundtrip"], d["counts"]["other"]
cpu_us = (after - before) * 1000 / max(1, o["deliveriesReceived"])
print(f"| {rate} | {c['messagesPerSecondSent']:.0f} | {c['deliveriesPerSecond']:.0f} | {rt['p50']:.2f} | {rt['p99']:.2f} | {rt['max']:.2f} | {o['deliveriesLost']} | {cpu_us:.1f} |")
PY
done

for clients in 200 10; do
  echo
  echo "TLS handshake, $clients clients connecting at once (\`--compare tls12,tls13\`, $REPEATS runs):"
  echo
  echo "| run | TLS 1.2 p50 (ms) | TLS 1.3 p50 (ms) | 1.3/1.2 | TLS 1.2 p99 | TLS 1.3 p99 | TCP connect p50 (ms) |"
  echo "|---|---|---|---|---|---|---|"
  for i in $(seq 1 "$REPEATS"); do
    connburst chat 127.0.0.1 "$port" tls13 "$clients" 1 1 --rooms $(( clients < 10 ? clients : 10 )) --compare tls12,tls13 --out "$work/c$clients-$i" >/dev/null
    python3 - "$work/c$clients-$i" "$i" <<'PY'
import glob, json, sys
d, i = sys.argv[1], sys.argv[2]
a = json.load(open(glob.glob(d + "/TLS_1_2_client_results_*.json")[0]))
b = json.load(open(glob.glob(d + "/TLS_1_3_client_results_*.json")[0]))
ta, tb = a["latency"]["tls"], b["latency"]["tls"]
tcp = (a["latency"]["tcp"]["p50"] + b["latency"]["tcp"]["p50"]) / 2
print(f"| {i} | {ta['p50']:.2f} | {tb['p50']:.2f} | {tb['p50']/ta['p50']:.2f} | {ta['p99']:.2f} | {tb['p99']:.2f} | {tcp:.3f} |")
PY
  done
done
echo
echo "From the last comparison's table:"
echo
cat "$work"/c10-"$REPEATS"/TLS_compare_*.txt | sed -n '/TLS handshake round trips/,$p' | sed 's/^/    /'
