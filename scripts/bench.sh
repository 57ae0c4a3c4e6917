#!/usr/bin/env bash
# Runs one part's benchmark; each rewrites bench/results/<part>.json and prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
part=${1:?usage: bench.sh <part>}
case "$part" in
  program) cargo run -q -p skill_marketplace --example program_bench ;;
  *) echo "no benchmark for part '$part' yet" >&2; exit 1 ;;
esac
