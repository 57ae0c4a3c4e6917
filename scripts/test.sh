#!/usr/bin/env bash
# Runs every test suite (or the suites named as arguments) and ends with one line
# "N passed, N failed" summed over all of them. Exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh || exit 1

all_suites=(program localnet api indexer executor publishing web stack)
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=("${all_suites[@]}")

passed=0
failed=0
log_dir="$SKILL_MARKETPLACE_CACHE/test-logs"
mkdir -p "$log_dir"

# PostgreSQL and Redis for the suites that need them (scripts/services.sh).
needs_services=0
needs_docker=
for suite in "${suites[@]}"; do case "$suite" in api|indexer|stack) needs_services=1 ;; executor|publishing|web) needs_services=1; needs_docker=docker ;; esac; done
if [ "$needs_services" = 1 ]; then
  source scripts/services.sh
  test_services $needs_docker || { echo "0 passed, 1 failed"; exit 1; }
fi

# Adds the counts of a finished suite's log to the totals; a suite that breaks before
# reporting counts as one failure so it cannot pass silently.
tally() {
  local name=$1 status=$2 log=$3 p f
  read -r p f < <(node scripts/count-results.mjs "$log")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "suite $name: $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite() {
  local name=$1; shift
  local log="$log_dir/$name.log"
  echo "=== suite $name: $*"
  "$@" 2>&1 | tee "$log"
  tally "$name" "${PIPESTATUS[0]}" "$log"
}

# A suite on the Docker engine above, with the node built: without an engine it counts as one
# failure (and the caller skips it).
with_docker() {
  cargo build -q -p localnet --bin localnet
  if [ -z "${TEST_DOCKER_HOST:-}" ]; then
    echo "suite $1: 0 passed, 1 failed (no Docker engine: see the services line above)"
    failed=$((failed + 1))
    return 1
  fi
}

for suite in "${suites[@]}"; do
  case "$suite" in
    program)
      run_suite program cargo test -p skill_marketplace -p svm-harness
      run_suite idl bash scripts/idl.sh --check
      run_suite sdk npx mocha 'tests/sdk/**/*.test.ts'
      # tsx strips types when the suites run, so the type check is its own step.
      run_suite typecheck bash -c 'if npx tsc --noEmit -p .; then echo "check passed: TypeScript type check"; else echo "check failed: TypeScript type check"; exit 1; fi'
      ;;
    localnet)
      run_suite localnet cargo test -p localnet
      # Standard clients (web3.js, Anchor, spl-token, @solana/pay) against the node built above.
      run_suite localnet-clients npx mocha 'tests/localnet/**/*.test.ts'
      ;;
    api)
      # Needs the node (built by the localnet suite, or here), PostgreSQL and Redis.
      cargo build -q -p localnet --bin localnet
      run_suite api npx mocha 'tests/api/**/*.test.ts'
      run_suite schemathesis bash scripts/schemathesis.sh
      ;;
    indexer)
      # Needs the debug localnet binary, PostgreSQL and Redis; each test file makes its own
      # scratch databases with `prisma migrate deploy`.
      cargo build -q -p localnet
      bash scripts/db.sh generate
      run_suite indexer npx mocha 'tests/indexer/**/*.test.ts'
      ;;
    executor)
      # Real containers: the base images (built once from Debian packages, then cached), the
      # node, PostgreSQL, Redis and the Docker engine above.
      if with_docker executor; then
        run_suite images env DOCKER_HOST="$TEST_DOCKER_HOST" bash -c 'bash scripts/images.sh && echo "check passed: base images"'
        run_suite executor env DOCKER_HOST="$TEST_DOCKER_HOST" npx mocha 'tests/executor/**/*.test.ts'
      fi
      ;;
    publishing)
      # From a local git repository to a skill buyers run: the api's jobs, the executor's builder
      # on the Docker engine above, the sandbox, the node and the indexer.
      if with_docker publishing; then
        DOCKER_HOST="$TEST_DOCKER_HOST" bash scripts/images.sh >/dev/null
        run_suite publishing env DOCKER_HOST="$TEST_DOCKER_HOST" npx mocha 'tests/publishing/**/*.test.ts'
      fi
      ;;
    web)
      # The production build (`next build` type-checks the app too), then the pages in Chromium against the
      # real api, indexer and node (and, for Try it, the executor on the Docker engine above).
      if with_docker web; then
        DOCKER_HOST="$TEST_DOCKER_HOST" bash scripts/images.sh >/dev/null
        run_suite web-build bash -c 'cd web && if NEXT_TELEMETRY_DISABLED=1 npx next build --webpack; then echo "check passed: next build"; else echo "check failed: next build"; exit 1; fi'
        run_suite web env DOCKER_HOST="$TEST_DOCKER_HOST" npx mocha 'tests/web/**/*.test.ts'
      fi
      ;;
    stack)
      # The supervisor with real processes, then `npm start` itself (it builds what it runs; its
      # external-services case uses the PostgreSQL and Redis above).
      run_suite stack npx mocha 'tests/stack/**/*.test.ts'
      ;;
    *) echo "unknown suite: $suite" >&2; failed=$((failed + 1)) ;;
  esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
