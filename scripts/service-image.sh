#!/usr/bin/env bash
# Builds skill-marketplace/service:<version> (deploy/Dockerfile) on the Docker engine at DOCKER_HOST:
# the service base image (scripts/images.sh --service), this machine's Node.js binary, the
# repository with its installed dependencies, the Prisma client and the production web build.
#   bash scripts/service-image.sh [tag]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
tag=${1:-skill-marketplace/service:$(node -p 'require("./package.json").version')}
docker_cli=(docker)
[ -n "${DOCKER_HOST:-}" ] && docker_cli=(docker -H "$DOCKER_HOST")
bash scripts/images.sh --service
[ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
bash scripts/db.sh generate
(cd web && NEXT_TELEMETRY_DISABLED=1 npx next build --webpack >/dev/null)
mkdir -p .stage
cp "$(command -v node)" .stage/node
trap 'rm -rf .stage' EXIT
"${docker_cli[@]}" build -q -f deploy/Dockerfile -t "$tag" . >/dev/null
echo "service-image: $tag built ($("${docker_cli[@]}" image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}'))"
