#!/usr/bin/env bash
# Builds and runs the local Solana node (JSON-RPC on :8899 by default); extra arguments go to it.
# LOCALNET_PROFILE=release builds an optimized node (slower first build, faster node).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile="${LOCALNET_PROFILE:-debug}"
case "$profile" in
  debug) cargo build -q -p localnet --bin localnet ;;
  release) cargo build -q --release -p localnet --bin localnet ;;
  *) echo "LOCALNET_PROFILE must be debug or release, not '$profile'" >&2; exit 2 ;;
esac
exec "$CARGO_TARGET_DIR/$profile/localnet" "$@"
