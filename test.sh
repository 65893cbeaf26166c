#!/usr/bin/env bash
# The one test command (README, .ci/run). Installs the independent peers the tests use when they are missing
# (as root, from Debian), builds in Release (warnings are errors) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests drive as real, independent peers.
need_pkgs=()
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need_pkgs+=(mosquitto)
command -v mosquitto_pub >/dev/null || need_pkgs+=(mosquitto-clients)
[ -x /usr/bin/carbon-cache ] || need_pkgs+=(graphite-carbon)
[ -x /usr/bin/whisper-fetch ] || need_pkgs+=(python3-whisper)
[ -x /usr/bin/python3 ] || need_pkgs+=(python3)
command -v chromium >/dev/null || need_pkgs+=(chromium)
command -v ss >/dev/null || need_pkgs+=(iproute2)
command -v ps >/dev/null || need_pkgs+=(procps)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "test.sh: missing ${need_pkgs[*]}; run as root or install them (apt-get install ${need_pkgs[*]})" >&2
    exit 2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
set +e
dotnet test tests/ConnBurst.Tests/ConnBurst.Tests.csproj -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line, whatever the runner printed above.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$rc"
