#!/usr/bin/env bash
# Sets up and builds everything, then brings up what the stack has so far: the local Solana node
# with the marketplace program (JSON-RPC on SOLANA_RPC_PORT, PubSub on SOLANA_WS_PORT), with the
# marketplace initialized by migrations/deploy.ts. Ctrl-C stops it.
# The off-chain services (indexer, api, executor, web) join here as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
echo "start: building the workspace"
cargo build -q --workspace
bash scripts/idl.sh --check

rpc_port="${SOLANA_RPC_PORT:-8899}"
ws_port="${SOLANA_WS_PORT:-$((rpc_port + 1))}"
node_args=(--rpc-port "$rpc_port" --ws-port "$ws_port" --slot-ms "${SLOT_MS:-400}")
[ -n "${LOCALNET_LEDGER:-}" ] && node_args+=(--ledger "$LOCALNET_LEDGER")
bash scripts/localnet.sh "${node_args[@]}" &
node_pid=$!
stop() { kill -TERM "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null; }
trap stop INT TERM EXIT

export SOLANA_RPC_URL="http://127.0.0.1:$rpc_port" SOLANA_WS_URL="ws://127.0.0.1:$ws_port"
for _ in $(seq 1 600); do
  curl -sf -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' "$SOLANA_RPC_URL" >/dev/null && break
  kill -0 "$node_pid" 2>/dev/null || { echo "start: the local node exited" >&2; exit 1; }
  sleep 0.2
done
npx tsx scripts/dev-deploy.ts

if [ -z "${LOCALNET_LEDGER:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
  # A node without a ledger starts a new chain: the embedded database starts over with it.
  echo "start: fresh chain, so a fresh database (set LOCALNET_LEDGER to keep both across restarts)"
  bash scripts/db.sh reset
else
  bash scripts/db.sh migrate
fi
# The indexer first: it backfills from its cursor, then follows the node's logs.
# Each service is one node process (tsx as a loader, not its wrapper that runs a second node), so
# the pid held here is the service itself and receives the signals sent to it.
node --import tsx indexer/src/main.ts &
indexer_pid=$!
node --import tsx api/src/server.ts &
api_pid=$!
stop() { kill -TERM "$api_pid" "$indexer_pid" "$node_pid" 2>/dev/null; wait "$api_pid" "$indexer_pid" "$node_pid" 2>/dev/null; }
echo "start: stack up: JSON-RPC $SOLANA_RPC_URL, PubSub $SOLANA_WS_URL, api http://127.0.0.1:${API_PORT:-8080}/api/v1 (guide: /SKILL.md) (Ctrl-C stops)"
wait -n "$api_pid" "$indexer_pid" "$node_pid"
