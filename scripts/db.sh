#!/usr/bin/env bash
# Database tasks through Prisma (wasm schema engine, see prisma.config.ts):
#   generate            build the Prisma client into prisma/generated
#   migrate             create the database if missing and apply prisma/migrations
#   reset               drop the database, then migrate (a fresh chain needs a fresh projection)
#   migration <name>    write a new migration from the difference between migrations and schema
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/skill_marketplace}"
# Runs one statement on the server's `postgres` database about the database DATABASE_URL names:
# `drop` (if it exists) or `create` (if it does not).
admin() {
  node -e '
    const pg = require("pg");
    const [action] = process.argv.slice(1);
    const url = new URL(process.env.DATABASE_URL);
    const name = decodeURIComponent(url.pathname.slice(1));
    const quoted = `"${name.replaceAll("\"", "\"\"")}"`;
    url.pathname = "/postgres";
    const client = new pg.Client({ connectionString: url.toString() });
    client.connect()
      .then(() => action === "drop"
        ? client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`)
        : client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
            .then((r) => r.rowCount ? null : client.query(`CREATE DATABASE ${quoted}`)))
      .then(() => client.end())
      .catch((e) => { console.error(`db: cannot ${action} ${process.env.DATABASE_URL}: ${e.message}`); process.exit(1); });
  ' "$1"
}

case "${1:-}" in
  generate) npx prisma generate >/dev/null ;;
  reset)
    admin drop
    exec bash "$0" migrate
    ;;
  migrate)
    admin create
    npx prisma migrate deploy
    ;;
  migration)
    name=${2:?usage: db.sh migration <name>}
    dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
    mkdir -p "$dir"
    npx prisma migrate diff --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --script 2>/dev/null \
      | grep -v -e 'ALTER COLUMN "search" DROP DEFAULT' -e 'ALTER TABLE "skill_terms" ALTER COLUMN "rank"' > "$dir/migration.sql" # generated column and unconstrained numeric, see schema.prisma
    echo "db: wrote $dir/migration.sql"
    ;;
  *) echo "usage: db.sh generate | migrate | reset | migration <name>" >&2; exit 2 ;;
esac
