// Write stage: one batch of decoded transactions and the cursor that covers it, in ONE database
// transaction. The event ledger (indexed_events, keyed by signature, instruction index, event
// index) decides which events are new, so replaying a batch changes nothing; state rows are
// written slot-aware (an older change never overwrites a newer one). Set-based SQL (unnest of
// arrays) keeps a batch to a fixed number of statements whatever its size.
import {
  AGENTS,
  bigint,
  bool,
  CURRENCIES,
  METER_AUTHORITIES,
  EVENT_KEY,
  LICENSES,
  MARKETPLACES,
  PURCHASES,
  REVIEWS,
  SKILL_VERSIONS,
  SKILLS,
  STATE_TABLES,
  HISTORY_TABLES,
  USAGE_EVENTS,
  type Column,
  type HistoryTable,
  type StateTable,
} from "@skill-marketplace/db";
import type { Logger } from "pino";
import pg from "pg";
import type { DecodedTransaction } from "./decode.js";
import { writeReputation } from "./reputation.js";
import { project, type Changes, type EventKey, type HistoryRow, type Patch } from "./project.js";

export type Commitment = "confirmed" | "finalized";

/** `unnest($1::text[], $2::int[], …) AS p(a, b, …)` with parameters numbered from `first`. */
function unnest(columns: readonly Column[], first: number): string {
  const arrays = columns.map((c, i) => `$${first + i}::${c.type}[]`).join(", ");
  return `unnest(${arrays}) AS p(${columns.map((c) => c.name).join(", ")})`;
}

type Row = Record<string, unknown>;
const column = (rows: Row[], name: string) => rows.map((r) => r[name] ?? null);

/** The columns a state table's patches write (key, values, counter deltas, slot) and one row per patch. */
function patchRows(spec: StateTable, patches: [string, Patch][]) {
  const counters = spec.counters;
  const all = [spec.key, ...spec.columns, ...counters, bigint("slot")];
  const rows: Row[] = patches.map(([id, p]) => ({
    [spec.key.name]: id,
    ...p.values,
    ...Object.fromEntries(counters.map((c) => [c.name, (p.deltas[c.name] ?? 0n).toString()])),
    slot: p.slot,
  }));
  return { counters, all, rows };
}

async function upsertFull(client: pg.PoolClient, spec: StateTable, patches: [string, Patch][], commitment: Commitment): Promise<void> {
  if (patches.length === 0) return;
  const { counters, all, rows } = patchRows(spec, patches);
  const names = all.map((c) => c.name);
  const sets = [
    ...spec.columns.map((c) => `${c.name} = EXCLUDED.${c.name}`),
    ...counters.map((c) => `${c.name} = t.${c.name} + EXCLUDED.${c.name}`),
    "slot = EXCLUDED.slot",
    "commitment = EXCLUDED.commitment",
  ];
  await client.query(
    `INSERT INTO ${spec.table} AS t (${names.join(", ")}, commitment)
     SELECT ${names.map((n) => `p.${n}`).join(", ")}, $${all.length + 1} FROM ${unnest(all, 1)}
     ON CONFLICT (${spec.key.name}) DO UPDATE SET ${sets.join(", ")} WHERE t.slot <= EXCLUDED.slot`,
    [...names.map((n) => column(rows, n)), commitment],
  );
}

/** The flag column telling whether a partial patch sets nullable column `name` (possibly to NULL). */
const setFlag = (name: string) => `${name}__set`;

async function updatePartial(client: pg.PoolClient, spec: StateTable, patches: [string, Patch][], commitment: Commitment, logger: Logger): Promise<void> {
  if (patches.length === 0) return;
  const { counters, all: patched, rows } = patchRows(spec, patches);
  // A value column a patch leaves out keeps its value. For a non-nullable column "left out" is a
  // NULL in its array; a nullable one can be set to NULL (a pending change cleared), so a flag
  // array says which patches set it.
  const nullable = spec.columns.filter((c) => c.nullable);
  const all = [...patched, ...nullable.map((c) => bool(setFlag(c.name)))];
  for (const [i, [, p]] of patches.entries()) {
    for (const c of nullable) rows[i]![setFlag(c.name)] = c.name in p.values;
  }
  const newer = "t.slot <= p.slot";
  const sets = [
    ...spec.columns.map((c) =>
      c.nullable
        ? `${c.name} = CASE WHEN ${newer} AND p.${setFlag(c.name)} THEN p.${c.name} ELSE t.${c.name} END`
        : `${c.name} = CASE WHEN ${newer} THEN COALESCE(p.${c.name}, t.${c.name}) ELSE t.${c.name} END`,
    ),
    ...counters.map((c) => `${c.name} = t.${c.name} + p.${c.name}`),
    "slot = GREATEST(t.slot, p.slot)",
    `commitment = CASE WHEN ${newer} THEN $${all.length + 1} ELSE t.commitment END`,
  ];
  const result = await client.query(
    `UPDATE ${spec.table} AS t SET ${sets.join(", ")} FROM ${unnest(all, 1)} WHERE t.${spec.key.name} = p.${spec.key.name}`,
    [...all.map((c) => column(rows, c.name)), commitment],
  );
  if ((result.rowCount ?? 0) < patches.length) {
    logger.warn({ table: spec.table, patches: patches.length, updated: result.rowCount }, "changes for rows the indexer has never seen");
  }
}

async function writeState(client: pg.PoolClient, spec: StateTable, patches: Map<string, Patch>, commitment: Commitment, logger: Logger): Promise<void> {
  const entries = [...patches];
  await upsertFull(client, spec, entries.filter(([, p]) => p.full), commitment);
  await updatePartial(client, spec, entries.filter(([, p]) => !p.full), commitment, logger);
}

async function insertHistory(client: pg.PoolClient, spec: HistoryTable, rows: HistoryRow[], commitment: Commitment): Promise<void> {
  if (rows.length === 0) return;
  const all = [...EVENT_KEY, ...spec.columns, bigint("slot")];
  const flat: Row[] = rows.map((r) => ({
    signature: r.signature,
    instruction_index: r.instructionIndex,
    event_index: r.eventIndex,
    ...r.values,
    slot: r.slot,
  }));
  const names = all.map((c) => c.name);
  await client.query(
    `INSERT INTO ${spec.table} (${names.join(", ")}, commitment)
     SELECT ${names.map((n) => `p.${n}`).join(", ")}, $${all.length + 1} FROM ${unnest(all, 1)}
     ON CONFLICT DO NOTHING`,
    [...names.map((n) => column(flat, n)), commitment],
  );
}

async function writeDaily(client: pg.PoolClient, daily: Changes["daily"]): Promise<void> {
  if (daily.size === 0) return;
  const rows = [...daily.values()];
  // Usage events do not name the currency: it is the skill's, which is fixed at registration.
  await client.query(
    `INSERT INTO skill_daily_stats AS d (skill, day, currency, sales, revenue, usage_units)
     SELECT p.skill, p.day, COALESCE(p.currency, s.currency), p.sales, p.revenue, p.units
     FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::numeric[], $6::numeric[]) AS p(skill, day, currency, sales, revenue, units)
     JOIN skills s ON s.address = p.skill
     ON CONFLICT (skill, day, currency) DO UPDATE SET
       sales = d.sales + EXCLUDED.sales, revenue = d.revenue + EXCLUDED.revenue, usage_units = d.usage_units + EXCLUDED.usage_units`,
    [
      rows.map((r) => r.skill),
      rows.map((r) => r.day),
      rows.map((r) => r.currency),
      rows.map((r) => r.sales),
      rows.map((r) => r.revenue.toString()),
      rows.map((r) => r.units.toString()),
    ],
  );
}

async function writeDeadLetters(client: pg.PoolClient, dead: Changes["deadLetters"]): Promise<void> {
  if (dead.length === 0) return;
  await client.query(
    `INSERT INTO dead_letters (signature, instruction_index, event_index, slot, reason, logs)
     SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::bigint[], $5::text[], $6::jsonb[])
     ON CONFLICT DO NOTHING`,
    [
      dead.map((d) => d.signature),
      dead.map((d) => d.instructionIndex),
      dead.map((d) => d.eventIndex),
      dead.map((d) => d.slot),
      dead.map((d) => d.reason),
      dead.map((d) => JSON.stringify(d.logs)),
    ],
  );
}

export interface Cursor {
  signature: string;
  slot: number;
}

export interface BatchResult {
  /** Events applied for the first time (replays count zero). */
  applied: number;
  deadLetters: number;
  changedSkills: string[];
  changedLicenses: string[];
}

const keyOf = (e: EventKey) => `${e.signature}:${e.instructionIndex}:${e.eventIndex}`;

export class Writer {
  constructor(
    private readonly pool: pg.Pool,
    private readonly programId: string,
    private readonly commitment: Commitment,
    private readonly logger: Logger,
  ) {}

  /** The cursor: the newest transaction whose events are committed, or null before the first batch. */
  async cursor(): Promise<Cursor | null> {
    const { rows } = await this.pool.query<{ signature: string; slot: string }>(
      "SELECT signature, slot FROM indexer_cursor WHERE program_id = $1",
      [this.programId],
    );
    const row = rows[0];
    return row ? { signature: row.signature, slot: Number(row.slot) } : null;
  }

  /** Writes `transactions` (chain order, the last one being the new cursor) in one database transaction. */
  async writeBatch(transactions: DecodedTransaction[]): Promise<BatchResult> {
    const last = transactions[transactions.length - 1];
    if (!last) return { applied: 0, deadLetters: 0, changedSkills: [], changedLicenses: [] };
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const keys = transactions.flatMap((tx) =>
        tx.events.map((e) => ({ signature: tx.signature, instructionIndex: e.instructionIndex, eventIndex: e.eventIndex, name: e.event.name, slot: tx.slot })),
      );
      const fresh = new Set<string>();
      if (keys.length > 0) {
        const inserted = await client.query<{ signature: string; instruction_index: number; event_index: number }>(
          `INSERT INTO indexed_events (signature, instruction_index, event_index, name, slot, commitment)
           SELECT p.*, $6 FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::bigint[]) AS p
           ON CONFLICT DO NOTHING RETURNING signature, instruction_index, event_index`,
          [keys.map((k) => k.signature), keys.map((k) => k.instructionIndex), keys.map((k) => k.eventIndex), keys.map((k) => k.name), keys.map((k) => k.slot), this.commitment],
        );
        for (const row of inserted.rows) fresh.add(keyOf({ signature: row.signature, instructionIndex: row.instruction_index, eventIndex: row.event_index }));
      }
      // Each fresh key is projected once, even if the batch holds a transaction twice (live + backfill).
      const applied = fresh.size;
      const changes = project(transactions, (e) => fresh.delete(keyOf(e)));
      await writeState(client, MARKETPLACES, changes.marketplaces, this.commitment, this.logger);
      await writeState(client, METER_AUTHORITIES, changes.meterAuthorities, this.commitment, this.logger);
      await writeState(client, CURRENCIES, changes.currencies, this.commitment, this.logger);
      await writeState(client, AGENTS, changes.agents, this.commitment, this.logger);
      await writeState(client, SKILLS, changes.skills, this.commitment, this.logger);
      await writeState(client, LICENSES, changes.licenses, this.commitment, this.logger);
      await writeState(client, REVIEWS, changes.reviews, this.commitment, this.logger);
      await insertHistory(client, SKILL_VERSIONS, changes.skillVersions, this.commitment);
      await insertHistory(client, PURCHASES, changes.purchases, this.commitment);
      await insertHistory(client, USAGE_EVENTS, changes.usage, this.commitment);
      await writeDaily(client, changes.daily);
      await writeReputation(client, [...changes.changedSkills], last.slot);
      await writeDeadLetters(client, changes.deadLetters);
      await client.query(
        `INSERT INTO indexer_cursor (program_id, signature, slot, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (program_id) DO UPDATE SET signature = EXCLUDED.signature, slot = EXCLUDED.slot, updated_at = now()`,
        [this.programId, last.signature, last.slot],
      );
      await client.query("COMMIT");
      return {
        applied: applied,
        deadLetters: changes.deadLetters.length,
        changedSkills: [...changes.changedSkills],
        changedLicenses: [...changes.changedLicenses],
      };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Promotes rows of slots up to `finalizedSlot` from "confirmed" to "finalized", in one
   * database transaction with the cursor's finalized slot.
   */
  async promote(finalizedSlot: number): Promise<number> {
    if (this.commitment === "finalized") return 0;
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      let promoted = 0;
      for (const table of [...STATE_TABLES, ...HISTORY_TABLES].map((t) => t.table).concat("indexed_events")) {
        const result = await client.query(
          `UPDATE ${table} SET commitment = 'finalized' WHERE commitment = 'confirmed' AND slot <= $1`,
          [finalizedSlot],
        );
        promoted += result.rowCount ?? 0;
      }
      await client.query("UPDATE indexer_cursor SET finalized_slot = GREATEST(finalized_slot, $2) WHERE program_id = $1", [this.programId, finalizedSlot]);
      await client.query("COMMIT");
      return promoted;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Postgres errors caused by the data rather than the connection (class 22 data, 23 constraints). */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
