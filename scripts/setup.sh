#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing the product. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# openssl-sys (a dependency of the Solana runtime crates) needs OpenSSL's headers.
pkg-config --exists openssl 2>/dev/null || need_apt+=(libssl-dev)
# The embedded Redis of tests and of `npm start` (where REDIS_URL is not given).
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The Docker engine skills run on (where DOCKER_HOST names none), with gVisor as its sandbox runtime;
# setpriv (util-linux) gives the stack's services a parent-death signal.
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
command -v runsc >/dev/null 2>&1 || need_apt+=(runsc)
command -v setpriv >/dev/null 2>&1 || need_apt+=(util-linux)
# The web suite drives Debian's Chromium (playwright-core, no browser download).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# Schemathesis (api suite) runs in a virtualenv.
python3 -m venv --help >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing system packages; install them with: sudo apt-get install -y ${need_apt[*]}" >&2
  fi
fi
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo (Rust) is required" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "setup: node >= 20 is required" >&2; exit 1; }
if [ -f package-lock.json ] && [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# The Prisma client is generated code (prisma/generated, not committed).
if [ ! -f prisma/generated/client.ts ] || [ prisma/schema.prisma -nt prisma/generated/client.ts ]; then
  bash scripts/db.sh generate
fi
