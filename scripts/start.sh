#!/usr/bin/env bash
# npm start: the set-up a fresh machine needs (system packages, dependencies, builds), then the
# stack's supervisor (stack/src/main.ts), which brings up the chain, PostgreSQL, Redis, the Docker
# engine, the IPFS store, the indexer, the api, the executor and the web app, each external where configured and embedded
# otherwise, and stops them all on Ctrl-C. `npm start -- --fresh` starts over with empty data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
step() { echo "start: $*"; }
step "set-up (system packages, dependencies)"
bash scripts/setup.sh
if [ -z "${SOLANA_RPC_URL:-}" ]; then
  step "building the local node and the program (cargo, ${LOCALNET_PROFILE:-debug})"
  case "${LOCALNET_PROFILE:-debug}" in
    debug) cargo build -q -p localnet --bin localnet ;;
    release) cargo build -q --release -p localnet --bin localnet ;;
    *) echo "start: LOCALNET_PROFILE must be debug or release, not '${LOCALNET_PROFILE}'" >&2; exit 2 ;;
  esac
fi
bash scripts/idl.sh --check
# The web app's production build, when it is missing or older than its sources.
if [ ! -f web/.next/BUILD_ID ] || [ -n "$(find web/app web/lib web/next.config.mjs web/package.json package-lock.json -newer web/.next/BUILD_ID -print -quit)" ]; then
  step "building the web app (next build)"
  (cd web && NEXT_TELEMETRY_DISABLED=1 npx next build --webpack >/dev/null)
fi
# The supervisor replaces this shell: it is the process npm waits for, and it hears npm's signals.
exec node --import tsx stack/src/main.ts "$@"
