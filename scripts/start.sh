#!/usr/bin/env bash
# Sets up and builds everything, then brings up what the stack has so far.
# Today that is the on-chain program (built for the host, with its IDL checked); the local
# chain node (localnet) and the off-chain services join here as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
echo "start: building the workspace"
cargo build -q --workspace
bash scripts/idl.sh --check
echo "start: program skill_marketplace $(grep -o '"address": "[^"]*"' sdk/idl/skill_marketplace.json | cut -d'"' -f4) built;"
echo "start: no long-running services exist yet (localnet is the next part to land)."
