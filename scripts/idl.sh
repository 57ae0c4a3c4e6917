#!/usr/bin/env bash
# Regenerates sdk/idl/skill_marketplace.json from the program (or checks it with --check).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo run -q -p localnet --bin idl -- "$@"
