#!/usr/bin/env bash
# Recorded real GitHub API answers for the publishing tests (GitHub cannot be reached from here).
# They come from PyGithub's test replay data (PyPI sdist, pinned by hash) and are kept with the other
# caches, never in the repository. Prints the folder holding the replay files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
version=2.10.0
sha256=90ff24ef1cd1bd57124c2a3869cafee9d7b066909129ecdaba2c2d1903bc118d
dir="$SKILL_MARKETPLACE_CACHE/recordings/pygithub-$version"
if [ ! -f "$dir/.complete" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: --dest "$tmp" "pygithub==$version" >&2
  archive="$tmp/pygithub-$version.tar.gz"
  echo "$sha256  $archive" | sha256sum --check --quiet >&2
  mkdir -p "$dir"
  tar -xzf "$archive" -C "$tmp" "pygithub-$version/tests/ReplayData"
  cp "$tmp/pygithub-$version/tests/ReplayData/"*.txt "$dir/"
  touch "$dir/.complete"
fi
echo "$dir"
