#!/usr/bin/env bash
# Runs Schemathesis (PyPI, in a virtualenv kept with the other caches) against the api's OpenAPI
# document on a real stack; prints "check passed: …" or "check failed: …".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
version=4.32.5
venv="$SKILL_MARKETPLACE_CACHE/venv-schemathesis-$version"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi
exec node_modules/.bin/tsx scripts/schemathesis.ts "$venv/bin/schemathesis"
