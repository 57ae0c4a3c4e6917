#!/usr/bin/env bash
# Builds and runs the local Solana node (JSON-RPC on :8899 by default); extra arguments go to it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build -q --release -p localnet --bin localnet
exec "$CARGO_TARGET_DIR/release/localnet" "$@"
