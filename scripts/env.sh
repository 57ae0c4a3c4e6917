# Shared environment for the project's scripts: caches live outside the clone so that
# repeated runs (and CI on a fresh clone) build incrementally.
export SKILL_MARKETPLACE_CACHE="${SKILL_MARKETPLACE_CACHE:-$HOME/.cache/skill-marketplace}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SKILL_MARKETPLACE_CACHE/target}"
export npm_config_cache="${npm_config_cache:-$SKILL_MARKETPLACE_CACHE/npm}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR" "$npm_config_cache"
