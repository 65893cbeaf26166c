#!/usr/bin/env bash
# Wall time of `connburst certs` (default PKI: CA, server, shared client, 3 revoked, CRL of 10,000) and of
# 10,000 per-client certificates. Usage: bench/pki.sh [RUNS] [CLIENTS]
. "$(dirname "$0")/lib.sh"
(cd "$BENCH_ROOT" && dotnet run -c Release --project bench/ConnBurst.Bench -- pki "${1:-5}" "${2:-10000}")
