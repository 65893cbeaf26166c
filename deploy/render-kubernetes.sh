#!/usr/bin/env bash
# Regenerates deploy/kubernetes/*.yaml: each file's first line is the `connburst kube ...` command that printed it,
# run again here. tests/ConnBurst.Tests/Deploy (KubeRegenerationTests) fails when a file and its command differ.
# CONNBURST names the tool to run (default: connburst on PATH; e.g. CONNBURST="dotnet src/ConnBurst.Cli/bin/Release/net10.0/connburst.dll").
set -euo pipefail
cd "$(dirname "$0")/kubernetes"
read -r -a tool <<< "${CONNBURST:-connburst}"
for f in *.yaml; do
    line=$(head -n 1 "$f")
    [[ $line == "# connburst kube "* ]] || { echo "$f: the first line is not a '# connburst kube' command" >&2; exit 2; }
    # The line is the command as kube wrote it, quoted for a shell: take its words back the same way.
    eval "args=(${line#\# connburst })"
    "${tool[@]}" "${args[@]}" > "$f.new"
    mv "$f.new" "$f"
    echo "$f"
done
