// Prisma CLI configuration. Only the npm registry is reachable where this project builds, so the
// CLI cannot download Prisma's native schema engine: migrations run on the wasm schema engine
// through the pg driver adapter (`engine: "js"`). Three gaps of @prisma/adapter-pg 6.19 in that
// mode are closed here; each is marked.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { randomUUID } from "node:crypto";
import { defineConfig } from "prisma/config";

// (1) The schema engine's catalog queries return `name` / `"char"` columns (OIDs 19, 18, and 1003
// for name[]) that the adapter cannot map; read them as text.
type PgResult = { addFields(fields: { dataTypeID: number }[]): void };
const resultPrototype = (pg as unknown as { Result: { prototype: PgResult } }).Result.prototype;
const addFields = resultPrototype.addFields;
resultPrototype.addFields = function (fields) {
  for (const field of fields) {
    if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
    else if (field.dataTypeID === 1003) field.dataTypeID = 1009;
  }
  return addFields.call(this, fields);
};

const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/skill_marketplace");
const connection: pg.PoolConfig = {
  host: url.hostname,
  port: Number(url.port || 5432),
  user: decodeURIComponent(url.username) || "postgres",
  password: decodeURIComponent(url.password) || undefined,
  database: url.pathname.slice(1),
};

type Adapter = { executeScript(script: string): Promise<void>; dispose(): Promise<void> };

// (3) The adapter splits migration scripts on every ";" (breaking strings and $$ bodies): send
// each script whole, as one multi-statement query, as the native engine does.
function wholeScripts<T extends Adapter>(adapter: T): T {
  const internals = adapter as unknown as { underlyingDriver(): pg.Pool; onError(e: unknown): never };
  adapter.executeScript = async (script: string) => {
    try {
      await internals.underlyingDriver().query(script);
    } catch (error) {
      internals.onError(error);
    }
  };
  return adapter;
}

class MigrationAdapter extends PrismaPg {
  override async connect() {
    return wholeScripts(await super.connect());
  }

  // (2) The adapter's own shadow database can end up being the real one (a connection string
  // overrides its `database`), and it drops the shadow database before closing its pool.
  override async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client(connection);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const adapter = wholeScripts(await new PrismaPg({ ...connection, database: name }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      const cleanup = new pg.Client(connection);
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}"`);
      await cleanup.end();
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new MigrationAdapter(connection),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
