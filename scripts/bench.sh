#!/usr/bin/env bash
# Runs one part's benchmark; each rewrites bench/results/<part>.json and prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
part=${1:?usage: bench.sh <part>}
case "$part" in api|indexer|web) source scripts/services.sh; test_services ;; executor|publish|agents) source scripts/services.sh; test_services docker ;; esac
case "$part" in
  program) cargo run -q -p skill_marketplace --example program_bench ;;
  # The node is measured as it is meant to run for load: an optimized build, in its own process.
  localnet)
    cargo build -q --release -p localnet
    cargo run -q --release -p localnet --example localnet_bench ;;
  api)
    # The node in its optimized build, as for bench:localnet: the api's figures, not the node's.
    cargo build -q --release -p localnet --bin localnet
    bash scripts/db.sh generate
    LOCALNET_BIN="$CARGO_TARGET_DIR/release/localnet" node_modules/.bin/tsx bench/api.ts ;;
  # Release node in its own process; the indexer in this one, against PostgreSQL and Redis.
  indexer)
    cargo build -q --release -p localnet
    LOCALNET_BIN="${LOCALNET_BIN:-$CARGO_TARGET_DIR/release/localnet}" npx tsx bench/indexer.ts ;;
  # Real containers on the engine test_services brought; the optimized node, as for bench:api
  # (the uncached license check is one read of it).
  executor)
    cargo build -q --release -p localnet --bin localnet
    DOCKER_HOST="$TEST_DOCKER_HOST" bash scripts/images.sh
    LOCALNET_BIN="$CARGO_TARGET_DIR/release/localnet" DOCKER_HOST="$TEST_DOCKER_HOST" npx tsx bench/executor.ts ;;
  # A publishing job's steps for the text-stats skill, uncached and cached builds.
  publish)
    cargo build -q -p localnet --bin localnet
    DOCKER_HOST="$TEST_DOCKER_HOST" bash scripts/images.sh >/dev/null
    DOCKER_HOST="$TEST_DOCKER_HOST" npx tsx bench/publish.ts ;;
  # What MCP adds to a call: direct execute against tools/call over Streamable HTTP and stdio.
  agents)
    cargo build -q -p localnet --bin localnet
    DOCKER_HOST="$TEST_DOCKER_HOST" bash scripts/images.sh >/dev/null
    DOCKER_HOST="$TEST_DOCKER_HOST" npx tsx bench/agents.ts ;;
  # The web app's production build in Chromium, against the api with 100,000 skills.
  web)
    cargo build -q -p localnet --bin localnet
    (cd web && NEXT_TELEMETRY_DISABLED=1 npx next build --webpack >/dev/null)
    npx tsx bench/web.ts ;;
  # npm start itself, timed from outside as a user sees it.
  stack) npx tsx bench/stack.ts ;;
  *) echo "no benchmark for part '$part' yet" >&2; exit 1 ;;
esac
