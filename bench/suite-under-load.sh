#!/usr/bin/env bash
# The whole test suite beside a CPU hog: `stress-ng --cpu 2` (one spinner per core of a 2-core machine), then ./test.sh,
# RUNS times in a row, each timed. Prints one line per run: its minutes and test.sh's "tests:" line; each run's whole log
# is kept in the work directory it names. Run it from a shell with job control or a terminal: a job started with SIGINT
# ignored passes that on (connburst restores it, but other children may not).
# Usage: bench/suite-under-load.sh [RUNS]  (default 3; needs stress-ng: apt-get install stress-ng)
set -euo pipefail
runs=${1:-3}
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/suite-under-load.XXXX)
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, logs in $work"
for i in $(seq 1 "$runs"); do
  stress-ng --cpu 2 --timeout 3600s >/dev/null 2>&1 &
  hog=$!
  start=$(date -u +%s)
  rc=0
  ./test.sh >"$work/run$i.log" 2>&1 || rc=$?
  end=$(date -u +%s)
  kill "$hog" 2>/dev/null || true
  wait "$hog" 2>/dev/null || true
  echo "run $i: exit $rc, $(( (end - start) / 60 )).$(( (end - start) % 60 * 10 / 60 )) min, $(grep -E '^tests:' "$work/run$i.log" | tail -1)"
done
