#!/usr/bin/env bash
# Builds the base images skills run on, from Debian packages and without a registry, and imports
# the ones the Docker engine at DOCKER_HOST (default: the machine's) lacks:
#   skill-marketplace/runtime-python:1   Debian minbase + python3
#   skill-marketplace/runtime-node:1     Debian minbase + nodejs
#   skill-marketplace/runtime-static:1   an empty root with a non-root user (static binaries)
# With --service, instead: skill-marketplace/service-base:1 (Debian minbase + CA certificates, git,
# openssl: what the off-chain services' image, deploy/Dockerfile, is built on).
# Root file systems are made with `debootstrap --variant=minbase` once and cached as tarballs in
# $SKILL_MARKETPLACE_CACHE/images (keyed by the recipe), so a new engine imports them in seconds.
# The recipe names and tags are executor/src/runtimes.ts's; keep the two together.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache="$SKILL_MARKETPLACE_CACHE/images"
mkdir -p "$cache"
docker_cli=(docker)
[ -n "${DOCKER_HOST:-}" ] && docker_cli=(docker -H "$DOCKER_HOST")

command -v docker >/dev/null 2>&1 || { echo "images: the docker CLI is missing (apt-get install docker.io)" >&2; exit 1; }
"${docker_cli[@]}" version --format '{{.Server.Version}}' >/dev/null 2>&1 || {
  echo "images: no Docker engine answers at ${DOCKER_HOST:-the default socket}" >&2
  exit 1
}

# Everything an image holds besides its packages: the user skills run as, and where they live.
finish_root() {
  local root=$1
  mkdir -p "$root/skill" "$root/tmp" "$root/etc"
  chmod 1777 "$root/tmp"
  grep -q '^skill:' "$root/etc/passwd" 2>/dev/null || echo 'skill:x:10001:10001:skill:/tmp:/sbin/nologin' >>"$root/etc/passwd"
  grep -q '^skill:' "$root/etc/group" 2>/dev/null || echo 'skill:x:10001:' >>"$root/etc/group"
  # What a running skill never needs: package manager state, docs, manuals, locales.
  rm -rf "$root/var/cache/apt" "$root/var/lib/apt/lists" "$root/usr/share/doc" "$root/usr/share/man" \
    "$root/usr/share/info" "$root/usr/share/locale" "$root/var/log"/* 2>/dev/null || true
}

# build_rootfs NAME PACKAGES → a cached tarball path on stdout.
build_rootfs() {
  local name=$1 packages=$2
  local key
  key=$(printf '%s\n' "$SUITE" "$packages" "$(declare -f finish_root)" | sha256sum | cut -c1-12)
  local tarball="$cache/$name-$key.tar"
  if [ ! -s "$tarball" ]; then
    [ "$(id -u)" = 0 ] || { echo "images: building $name needs root (debootstrap)" >&2; exit 1; }
    if ! command -v debootstrap >/dev/null 2>&1; then
      echo "images: installing debootstrap" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    local root
    root=$(mktemp -d "$cache/.root-$name-XXXXXX")
    [ "$name" = static ] || echo "images: debootstrap $SUITE minbase${packages:+ + $packages} for $name (about a minute)" >&2
    if [ "$name" = static ]; then
      mkdir -p "$root/etc"
      echo 'root:x:0:0:root:/:/sbin/nologin' >"$root/etc/passwd"
      echo 'root:x:0:' >"$root/etc/group"
    else
      debootstrap --variant=minbase ${packages:+--include="$packages"} "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 || {
        echo "images: debootstrap failed; its log: $root.log" >&2
        exit 1
      }
    fi
    finish_root "$root"
    tar --numeric-owner -C "$root" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$root" "$root.log"
  fi
  echo "$tarball"
}

import_image() {
  local name=$1 packages=$2
  local tag=${3:-skill-marketplace/runtime-$name:1}
  local tarball key
  tarball=$(build_rootfs "$name" "$packages")
  key=$(basename "$tarball" .tar)
  if [ "$("${docker_cli[@]}" image inspect --format '{{index .Config.Labels "skill-marketplace.rootfs"}}' "$tag" 2>/dev/null)" = "$key" ]; then
    return
  fi
  "${docker_cli[@]}" import \
    --change "USER 10001:10001" \
    --change "WORKDIR /skill" \
    --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" \
    --change "LABEL skill-marketplace.rootfs=$key" \
    "$tarball" "$tag" >/dev/null
  echo "images: $tag imported ($(du -h "$tarball" | cut -f1))" >&2
}

if [ "${1:-}" = --service ]; then
  import_image service "ca-certificates,git,openssl" skill-marketplace/service-base:1
  exit 0
fi
import_image static ""
import_image python python3
import_image node nodejs
