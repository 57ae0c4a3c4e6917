// Scratch PostgreSQL databases for test suites: created empty, migrated with the committed
// migrations through the Prisma CLI (`prisma migrate deploy`), dropped at the end.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

// `npm test` starts an embedded PostgreSQL and Redis (scripts/services.sh) and names them here.
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** The test Redis server, logical database `db`. */
export function redisUrl(db: number): string {
  const url = new URL(REDIS_URL);
  url.pathname = `/${db}`;
  return url.toString();
}

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Drops and recreates the database, migrated again: empty tables. */
  recreate(): Promise<void>;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function migrate(url: string): void {
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url }, stdio: "pipe" });
}

export async function scratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const create = async () => {
    await admin((c) => c.query(`CREATE DATABASE "${name}"`));
    migrate(url.toString());
  };
  const drop = () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
  await create();
  return {
    name,
    url: url.toString(),
    recreate: async () => {
      await drop();
      await create();
    },
    drop,
  };
}
