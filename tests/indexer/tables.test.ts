// The typed table definitions of the database package (what the indexer writes and the api reads)
// against the database the committed migrations build: every column named there exists with that
// type and nullability, and every column the tables have is named there (but the bookkeeping ones).
import { strict as assert } from "node:assert";
import pg from "pg";
import { HISTORY_TABLES, STATE_TABLES, EVENT_KEY, selectList, SKILL_RELIABILITY, SKILLS, type Column } from "@skill-marketplace/db";
import { scratchDatabase, type ScratchDatabase } from "../helpers/database.js";

/** information_schema's data_type for each column type of the definitions. */
const SQL_TYPE: Record<Column["type"], string> = {
  text: "text",
  int: "integer",
  bigint: "bigint",
  numeric: "numeric",
  boolean: "boolean",
  timestamptz: "timestamp with time zone",
};

/** Columns every projected row carries that the definitions leave to the writer itself. */
const BOOKKEEPING = new Set(["slot", "commitment", "search"]);

describe("database package: table definitions match the migrated schema", () => {
  let database: ScratchDatabase;
  let columns: Map<string, Map<string, { type: string; nullable: boolean }>>;

  before(async () => {
    database = await scratchDatabase("tables_check");
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
    );
    await client.end();
    columns = new Map();
    for (const r of rows) {
      if (!columns.has(r.table_name)) columns.set(r.table_name, new Map());
      columns.get(r.table_name)!.set(r.column_name, { type: r.data_type, nullable: r.is_nullable === "YES" });
    }
  });

  after(() => database?.drop());

  for (const spec of [...STATE_TABLES, ...HISTORY_TABLES, SKILL_RELIABILITY]) {
    it(`${spec.table}: same columns, types and nullability`, () => {
      const actual = columns.get(spec.table);
      assert.ok(actual, `table ${spec.table} exists`);
      const defined: Column[] = "key" in spec ? [spec.key, ...spec.columns, ...spec.counters] : [...EVENT_KEY, ...spec.columns];
      for (const c of defined) {
        const found = actual.get(c.name);
        assert.ok(found, `${spec.table}.${c.name} exists`);
        assert.equal(found.type, SQL_TYPE[c.type], `${spec.table}.${c.name} type`);
        assert.equal(found.nullable, c.nullable, `${spec.table}.${c.name} nullable`);
      }
      const named = new Set(defined.map((c) => c.name));
      const unnamed = [...actual.keys()].filter((name) => !named.has(name) && !BOOKKEEPING.has(name));
      assert.deepEqual(unnamed, [], `columns of ${spec.table} missing from the definitions`);
    });
  }

  it("refuses to select a column a table does not have", () => {
    assert.equal(selectList(SKILLS, ["address", "slug"], "s"), "s.address, s.slug");
    assert.throws(() => selectList(SKILLS, ["address", "nope" as "slug"], "s"), /skills has no column nope/);
  });
});
