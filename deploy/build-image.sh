#!/usr/bin/env bash
# Builds the connburst container image from nothing but this repository and Debian's packages (no image registry):
#   1. the base, localhost/connburst-base:bookworm: a `debootstrap --variant=minbase` root with libssl3 and the
#      security updates, imported with `podman import` (reused when present, unless --rebuild-base);
#   2. a self-contained linux-x64 publish of src/ConnBurst.Cli (no .NET install in the image; ReadyToRun with tiered
#      compilation off, as the project sets for every publish with a runtime identifier: docs/DECISIONS.md "Cli: how it runs");
#   3. localhost/connburst:VERSION from deploy/Containerfile, VERSION being the tool's own (connburst --version);
#   4. a smoke test: `connburst --version` inside the image.
#
# Usage (as root, from anywhere):   deploy/build-image.sh [--rebuild-base]
# Needs: podman, runc, debootstrap (apt-get install -y podman runc debootstrap) and the .NET 10 SDK.
# Environment: MIRROR, SECURITY_MIRROR (Debian mirrors; default deb.debian.org, as /etc/apt/sources.list.d/ here),
#              WORK (scratch directory, default /var/tmp/connburst-image), PODMAN_RUNTIME (default runc: crun fails
#              on hybrid cgroup v1 hosts such as this one).
set -euo pipefail

readonly IMAGE=localhost/connburst
readonly BASE_IMAGE=localhost/connburst-base:bookworm
readonly SUITE=bookworm
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
WORK=${WORK:-/var/tmp/connburst-image}
PODMAN=(podman --runtime "${PODMAN_RUNTIME:-runc}")
# Explicit limits: the runtime's defaults are not usable on this host (see the README's podman notes).
RUN_LIMITS=(--ulimit nofile=1024:20000 --ulimit nproc=1024:4096)

rebuild_base=0
for arg in "$@"; do
  case $arg in
    --rebuild-base) rebuild_base=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s)
say() { echo "build-image: $*"; }

[[ $(id -u) == 0 ]] || { echo "build-image.sh: run as root (debootstrap and rootful podman)" >&2; exit 2; }
for tool in podman "${PODMAN_RUNTIME:-runc}" debootstrap dotnet; do
  command -v "$tool" >/dev/null || { echo "build-image.sh: '$tool' is missing (apt-get install -y podman runc debootstrap; .NET 10 SDK)" >&2; exit 2; }
done

build_base() {
  local rootfs=$WORK/rootfs
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  say "debootstrap $SUITE from $MIRROR (minbase + libssl3, fonts-dejavu-core)"
  # minbase already has libc6, libgcc-s1, libstdc++6 and zlib1g, what a self-contained .NET app needs; no libicu
  # because the projects set InvariantGlobalization. passwd is there for the Containerfile's useradd.
  # fonts-dejavu-core (3 MB): the charts' font (Reporting/Charts/ChartStyle); without a font `report` draws no text.
  debootstrap --variant=minbase --include=libssl3,fonts-dejavu-core "$SUITE" "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; echo "build-image.sh: debootstrap failed (log: $WORK/debootstrap.log)" >&2; exit 1; }

  # The suite alone is the release as shipped; TLS figures depend on libssl, so take bookworm-security's too.
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  mount -t proc proc "$rootfs/proc"
  trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT
  say "apt-get upgrade inside the root (security updates)"
  chroot "$rootfs" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get -q update && apt-get -qy upgrade && apt-get clean' \
    >>"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  umount "$rootfs/proc"
  trap - EXIT

  # What a container never reads: package lists, caches, docs, man pages, locales (about 30 MB).
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
         "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  local previous
  previous=$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)
  say "podman import -> $BASE_IMAGE"
  tar --numeric-owner -C "$rootfs" -c . | "${PODMAN[@]}" import -q --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  [[ -n $previous ]] && { "${PODMAN[@]}" rmi "$previous" >/dev/null 2>&1 || true; }
  return 0
}

mkdir -p "$WORK"
if [[ $rebuild_base == 1 ]] || ! "${PODMAN[@]}" image exists "$BASE_IMAGE"; then
  build_base
else
  say "reusing $BASE_IMAGE (--rebuild-base makes it again)"
fi
base_done=$(date +%s)

stage=$WORK/context
rm -rf "$stage"
mkdir -p "$stage"
say "dotnet publish (self-contained linux-x64, ReadyToRun)"
# Satellite resources are for other UI languages; the tool prints English only.
dotnet publish "$repo/src/ConnBurst.Cli" -c Release -r linux-x64 --self-contained -p:SatelliteResourceLanguages=en \
  -o "$stage/app" >"$WORK/publish.log" 2>&1 || { tail -20 "$WORK/publish.log" >&2; exit 1; }

# The tag is the tool's version without its +commit suffix ('+' is not allowed in a tag); the manifests name it.
full_version=$("$stage/app/connburst" --version | awk '{print $2}')
version=${full_version%%+*}
previous=$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$IMAGE:$version" 2>/dev/null || true)
say "podman build $IMAGE:$version"
"${PODMAN[@]}" build -q -f "$repo/deploy/Containerfile" --build-arg BASE="$BASE_IMAGE" --build-arg VERSION="$full_version" \
  -t "$IMAGE:$version" "$stage" >/dev/null
rm -rf "$stage"
# A rebuild leaves the previous image untagged: remove it (only ours; it stays if a container still uses it).
current=$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$IMAGE:$version")
[[ -n $previous && $previous != "$current" ]] && { "${PODMAN[@]}" rmi "$previous" >/dev/null 2>&1 || true; }
done_at=$(date +%s)

say "smoke test: connburst --version inside the image"
"${PODMAN[@]}" run --rm "${RUN_LIMITS[@]}" "$IMAGE:$version" --version

size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE:$version")
say "built $IMAGE:$version, $(((size + 524288) / 1048576)) MiB; base $((base_done - started)) s, publish and image $((done_at - base_done)) s"
echo "$IMAGE:$version"
