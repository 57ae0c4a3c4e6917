#!/usr/bin/env bash
# Sets up and builds everything, then brings up what the stack has so far: the local Solana node
# with the marketplace program (JSON-RPC on SOLANA_RPC_PORT, default 8899). Ctrl-C stops it.
# The off-chain services (indexer, api, executor, web) join here as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
echo "start: building the workspace"
cargo build -q --workspace
bash scripts/idl.sh --check
exec bash scripts/localnet.sh --rpc-port "${SOLANA_RPC_PORT:-8899}" --slot-ms "${SLOT_MS:-400}"
