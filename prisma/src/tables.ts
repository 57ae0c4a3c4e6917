// The projected tables as TypeScript sees them: each column named once, with its SQL type and
// whether it may be null. The indexer's writer builds its statements from these, the api selects
// and types its rows from them, and a test checks them against the migrated database
// (prisma/schema.prisma is the source of the layout; the migrations are generated from it).
import type { Prisma } from "../generated/client.js";

export type ColumnType = "text" | "int" | "bigint" | "numeric" | "boolean" | "timestamptz";

export interface Column<N extends string = string, T extends ColumnType = ColumnType, Null extends boolean = boolean> {
  name: N;
  type: T;
  nullable: Null;
}

const column =
  <T extends ColumnType>(type: T) =>
  <N extends string>(name: N) => ({ name, type, nullable: false as const });
const nullable = <N extends string, T extends ColumnType>(c: Column<N, T, false>): Column<N, T, true> => ({ ...c, nullable: true });

export const text = column("text");
export const int = column("int");
export const bigint = column("bigint");
export const numeric = column("numeric");
export const bool = column("boolean");
export const at = column("timestamptz");

/** A table of account state: one row per account, written slot-aware (an older change never wins). */
export interface StateTable<K extends Column = Column, V extends Column = Column, N extends Column = Column> {
  table: string;
  key: K;
  /** Values an event sets. */
  columns: readonly V[];
  /** Counters: added, never overwritten. */
  counters: readonly N[];
}

/** A history table: one row per event, keyed by (signature, instruction index, event index). */
export interface HistoryTable<C extends Column = Column> {
  table: string;
  columns: readonly C[];
}

const state = <K extends Column, V extends Column, N extends Column = never>(
  table: string,
  key: K,
  columns: readonly V[],
  counters: readonly N[] = [],
): StateTable<K, V, N> => ({ table, key, columns, counters });
const history = <C extends Column>(table: string, columns: readonly C[]): HistoryTable<C> => ({ table, columns });

export const MARKETPLACES = state("marketplaces", text("address"), [
  text("admin"), nullable(text("pending_admin")), text("pauser"), text("treasury"), int("fee_bps"), nullable(int("pending_fee_bps")),
  nullable(at("fee_effective_at")), bigint("notice_secs"), bool("paused"), at("updated_at"),
]);

export const METER_AUTHORITIES = state("meter_authorities", text("address"), [
  text("authority"), bool("active"), at("added_at"), nullable(at("revoked_at")),
]);

export const CURRENCIES = state("currencies", text("mint"), [
  text("address"), text("token_program"), int("decimals"), bool("active"), at("added_at"), nullable(at("removed_at")),
]);

export const AGENTS = state(
  "agents",
  text("wallet"),
  [text("address"), text("name"), text("metadata_uri"), at("registered_at"), at("updated_at")],
  [int("skills_published")],
);

export const SKILLS = state(
  "skills",
  text("address"),
  [
    text("author"), text("slug"), text("version"), text("pricing"), nullable(bigint("interval_secs")), nullable(numeric("units_per_purchase")),
    numeric("price"), text("currency"), text("category"), text("docs_cid"), text("commit_sha"), text("image_digest"),
    nullable(text("pending_version")), nullable(text("pending_docs_cid")), nullable(text("pending_commit_sha")),
    nullable(text("pending_image_digest")), nullable(at("pending_version_at")), nullable(numeric("pending_price")),
    nullable(at("pending_price_at")), bool("active"), bool("suspended"), nullable(text("suspension_cid")),
    numeric("rating_sum"), int("rating_count"), numeric("weighted_rating_sum"), numeric("rating_weight"), at("created_at"), at("updated_at"),
  ],
  [numeric("sales"), numeric("revenue"), numeric("usage_units")],
);

export const LICENSES = state("licenses", text("address"), [
  text("skill"), text("buyer"), text("kind"), bigint("expires_at"), numeric("usage_limit"), numeric("usage_used"),
  int("purchases"), numeric("paid"), at("purchased_at"), bool("closed"), nullable(at("closed_at")), nullable(numeric("refunded_lamports")),
]);

export const REVIEWS = state("reviews", text("address"), [
  text("skill"), text("reviewer"), int("rating"), numeric("weight"), text("text_cid"), at("created_at"), at("updated_at"), bool("deleted"),
]);

/** The key every history row and the event ledger carry. */
export const EVENT_KEY = [text("signature"), int("instruction_index"), int("event_index")] as const;

export const SKILL_VERSIONS = history("skill_versions", [
  text("skill"), text("version"), nullable(text("previous_version")), text("category"), numeric("price"), text("docs_cid"),
  text("commit_sha"), text("image_digest"), at("published_at"), at("effective_at"),
]);

export const PURCHASES = history("purchases", [
  text("license"), text("skill"), text("buyer"), text("seller"), text("kind"), text("currency"), numeric("price"), numeric("paid"),
  numeric("seller_amount"), numeric("fee_amount"), int("fee_bps"), bool("renewal"), bigint("expires_at"), numeric("usage_limit"),
  nullable(text("reference")), at("purchased_at"),
]);

export const USAGE_EVENTS = history("usage_events", [
  text("license"), text("skill"), text("buyer"), numeric("units"), numeric("usage_used"), numeric("usage_limit"),
  text("receipts_root"), int("receipt_count"), text("meter_authority"), at("recorded_at"),
]);

/**
 * A skill version's reliability over its recent calls: written by the executor from the calls it
 * ran (executor/src/reliability.ts), read by discovery. Keyed by (skill, version).
 */
export const SKILL_RELIABILITY = state("skill_reliability", text("skill"), [
  text("version"), int("calls"), int("successes"), int("timeouts"), nullable(int("p50_ms")), nullable(int("p95_ms")), at("last_call_at"), at("updated_at"),
]);

export const STATE_TABLES = [MARKETPLACES, METER_AUTHORITIES, CURRENCIES, AGENTS, SKILLS, LICENSES, REVIEWS] as const;
export const HISTORY_TABLES = [SKILL_VERSIONS, PURCHASES, USAGE_EVENTS] as const;

/** Every column of a state table (key, values, counters), or of a history table. */
export type ColumnOf<S extends StateTable | HistoryTable> = S extends StateTable<infer K, infer V, infer N> ? K | V | N : S["columns"][number];
export type ColumnName<S extends StateTable | HistoryTable> = ColumnOf<S>["name"];

/** How the pg driver (through Prisma's $queryRaw) hands a value of each SQL type to TypeScript. */
interface ReadAs {
  text: string;
  int: number;
  bigint: bigint;
  numeric: Prisma.Decimal;
  boolean: boolean;
  timestamptz: Date;
}

type ValueOf<C> = C extends Column<string, infer T, infer Null> ? ReadAs[T] | (Null extends true ? null : never) : never;

/** The row a SELECT of `names` from a table returns. */
export type RowOf<S extends StateTable | HistoryTable, Names extends ColumnName<S>> = {
  [N in Names]: ValueOf<Extract<ColumnOf<S>, { name: N }>>;
};

/** `names` of `spec`, as `alias.name, …` for a select list; the names are checked against the table. */
export function selectList<S extends StateTable>(spec: S, names: readonly ColumnName<S>[], alias: string): string {
  const known = new Set<string>([spec.key, ...spec.columns, ...spec.counters].map((c) => c.name));
  for (const name of names) if (!known.has(name)) throw new Error(`${spec.table} has no column ${name}`);
  return names.map((n) => `${alias}.${n}`).join(", ");
}
