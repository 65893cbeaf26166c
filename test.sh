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
command -v gnutls-serv >/dev/null || need_pkgs+=(gnutls-bin)
[ -x /usr/bin/carbon-cache ] || need_pkgs+=(graphite-carbon)
[ -x /usr/bin/whisper-fetch ] || need_pkgs+=(python3-whisper)
[ -x /usr/bin/python3 ] || need_pkgs+=(python3)
command -v chromium >/dev/null || need_pkgs+=(chromium)
command -v ss >/dev/null || need_pkgs+=(iproute2)
command -v nft >/dev/null || [ -x /usr/sbin/nft ] || need_pkgs+=(nftables)
command -v ps >/dev/null || need_pkgs+=(procps)
command -v perf >/dev/null || need_pkgs+=(linux-perf)
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
# CI hands back only the tail of this output, so the failed tests are listed again at the very end, read from a TRX file.
# A test that hangs (no test finished for 5 minutes; the slowest takes ~30 s) is named and its host killed (blame-hang),
# so CI reports it instead of running into its 30-minute limit.
trx_dir=$(mktemp -d)
set +e
dotnet test tests/ConnBurst.Tests/ConnBurst.Tests.csproj -c Release --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=tests.trx" --results-directory "$trx_dir" \
  --blame-hang-timeout "${TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# Each failed test: its name, then the first lines of its message and stack (enough to see where and why).
python3 - "$trx_dir" <<'PY' || echo "test.sh: could not read the TRX file in $trx_dir"
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
files = glob.glob(sys.argv[1] + "/*.trx")
if not files:
    print("test.sh: no TRX file was written (did the build or the test host fail?)")
    sys.exit(0)
failed = [r for f in files for r in ET.parse(f).getroot().iterfind(".//t:UnitTestResult", ns)
          if r.get("outcome") not in ("Passed", "NotExecuted")]
if failed:
    print(f"\n===== {len(failed)} failed test(s) =====")
for r in failed:
    print(f"FAILED {r.get('testName')} [{r.get('outcome')}, {r.get('duration', '?')}]")
    text = "\n".join((e.text or "").rstrip() for e in r.iterfind("t:Output/t:ErrorInfo/*", ns))
    for line in [l for l in text.splitlines() if l.strip()][:15]:
        print("    " + line)
PY
rm -rf "$trx_dir"
# A crashed, hung or aborted test host leaves its reason and the test it was running only in the console output.
aborted=
if grep -q 'Test Run Aborted' "$log"; then
  aborted=", run ABORTED"
  echo; echo "===== test run aborted ====="
  awk '/aborted\. Reason:|Data collector .Blame. message/ && !seen[$0]++ { print "    " $0 }
       /running when the crash occurred/ { grab = 1; next }
       grab && NF { print "    running: " $0; next }
       grab && !NF { grab = 0 }' "$log" | head -15
fi
# One plain closing line, whatever the runner printed above.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped${aborted}"
exit "$rc"
