// Reads of the indexer's `skills` and `skill_versions` tables for discovery. The columns come
// from the database package's table definitions, so a column is named in one place.
import { Prisma, selectList, SKILL_RELIABILITY, SKILLS, type ColumnName, type PrismaClient, type RowOf } from "@skill-marketplace/db";
import { createHash } from "node:crypto";
import pg from "pg";
import { decodeCursor, type Sort } from "../../cursor.js";

// Raw pg for the hot reads, with the values as Prisma would give them (numeric → Decimal, int8 →
// bigint), so the views built from rows are the same either way.
const NUMERIC_OID = 1700;
const INT8_OID = 20;
const TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === NUMERIC_OID) return (text: string) => new Prisma.Decimal(text);
    if (oid === INT8_OID) return (text: string) => BigInt(text);
    return (pg.types.getTypeParser as (oid: number, format?: string) => (text: string) => unknown)(oid, format);
  },
};

/** What discovery shows of a skill: every column of `skills` but revenue and the bookkeeping ones. */
const VIEW_COLUMNS = [
  "address", "author", "slug", "version", "pricing", "interval_secs", "units_per_purchase", "price", "currency", "category",
  "docs_cid", "commit_sha", "image_digest", "active", "sales", "usage_units", "rating_sum", "rating_count", "created_at", "updated_at",
  "pending_version", "pending_docs_cid", "pending_commit_sha", "pending_image_digest", "pending_version_at", "pending_price", "pending_price_at",
] as const satisfies readonly ColumnName<typeof SKILLS>[];

/** The executor's figures for the version a skill sells now (none until it has run). */
const RELIABILITY_COLUMNS = ["calls", "successes", "timeouts", "p50_ms", "p95_ms"] as const satisfies readonly ColumnName<typeof SKILL_RELIABILITY>[];
type ReliabilityRow = RowOf<typeof SKILL_RELIABILITY, (typeof RELIABILITY_COLUMNS)[number]>;

export type SkillRow = RowOf<typeof SKILLS, (typeof VIEW_COLUMNS)[number]> & { [K in keyof ReliabilityRow]: ReliabilityRow[K] | null };

const COLUMNS = Prisma.raw(`${selectList(SKILLS, VIEW_COLUMNS, "s")}, ${selectList(SKILL_RELIABILITY, RELIABILITY_COLUMNS, "r")}`);
/** Joins each skill row `s` to its current version's reliability `r`: one primary-key lookup a row. */
const RELIABILITY = Prisma.raw("LEFT JOIN skill_reliability r ON r.skill = s.address AND r.version = s.version");
const RATING = Prisma.sql`(CASE WHEN s.rating_count > 0 THEN s.rating_sum / s.rating_count ELSE 0 END)`;

export interface SkillQuery {
  search?: string;
  category?: string;
  sort?: Sort;
  minRating?: number;
  maxPrice?: string;
  currency?: string;
  kind?: "oneTime" | "subscription" | "usage";
  cursor?: string;
  limit: number;
}

/**
 * The lexeme a search of one plain word (ASCII letters and digits) becomes under the 'simple'
 * configuration: the word in lower case. Anything else (several words, operators, quotes,
 * other scripts) takes the general full-text path.
 */
export function oneWord(search: string): string | null {
  const word = search.trim();
  return /^[A-Za-z0-9]{1,100}$/.test(word) ? word.toLowerCase() : null;
}

export class SkillStore {
  constructor(
    private readonly db: PrismaClient,
    private readonly pool: pg.Pool,
  ) {}

  /**
   * Runs `query` on the pool as a prepared statement (named by its text, so each shape is parsed
   * and planned once per connection): Prisma's raw queries cost about twice the CPU per search.
   */
  private async rows<T>(query: Prisma.Sql): Promise<T[]> {
    const name = `s_${createHash("sha1").update(query.text).digest("base64url").slice(0, 20)}`;
    const result = await this.pool.query({ name, text: query.text, values: query.values as unknown[], types: TYPES });
    return result.rows as T[];
  }

  /** One page of listed skills by `sort` (after the cursor), one row more than asked when more follow. */
  async page(q: SkillQuery, sort: Sort): Promise<(SkillRow & { sort_value: unknown })[]> {
    // Listed by their seller and not suspended by the marketplace.
    const where: Prisma.Sql[] = [Prisma.sql`s.active AND NOT s.suspended`];
    const tsQuery = q.search ? Prisma.sql`websearch_to_tsquery('simple', ${q.search})` : null;
    if (q.category) where.push(Prisma.sql`s.category = ${q.category}`);
    if (q.kind) where.push(Prisma.sql`s.pricing = ${q.kind}`);
    if (q.currency) where.push(Prisma.sql`s.currency = ${q.currency}`);
    if (q.maxPrice) where.push(Prisma.sql`s.price <= ${q.maxPrice}::numeric`);
    if (q.minRating !== undefined) where.push(Prisma.sql`s.rating_count > 0 AND s.rating_sum >= ${q.minRating}::numeric * s.rating_count`);
    const key: Record<Sort, Prisma.Sql> = {
      popular: Prisma.sql`s.sales`,
      newest: Prisma.sql`s.created_at`,
      rating: RATING,
      relevance: tsQuery ? Prisma.sql`ts_rank(s.search, ${tsQuery})::numeric` : Prisma.sql`0`,
    };
    const sortKey = key[sort];
    if (q.cursor) {
      const c = decodeCursor(q.cursor, sort);
      const value = sort === "newest" ? Prisma.sql`${c.v}::timestamptz` : Prisma.sql`${c.v}::numeric`;
      where.push(Prisma.sql`(${sortKey}, s.address) < (${value}, ${c.a})`);
    }
    const word = q.search && sort === "relevance" ? oneWord(q.search) : null;
    if (word) {
      // One plain word: its matches can be thousands, and ranking each one costs more than the
      // whole rest of the request. skill_terms holds every skill's rank for each of its words
      // (kept by a trigger, equal to the ts_rank below), so the best page is read off its index
      // in order and only that page's skills are fetched.
      const termWhere = where.map((w) => w);
      if (q.cursor) {
        termWhere.pop();
        const c = decodeCursor(q.cursor, sort);
        termWhere.push(Prisma.sql`(t.rank, t.address) < (${c.v}::numeric, ${c.a})`);
      }
      return this.rows<SkillRow & { sort_value: unknown }>(Prisma.sql`
        SELECT ${COLUMNS}, t.rank AS sort_value FROM skill_terms t JOIN skills s ON s.address = t.address ${RELIABILITY}
        WHERE t.term = ${word} AND ${Prisma.join(termWhere, " AND ")}
        ORDER BY t.rank DESC, t.address DESC
        LIMIT ${q.limit + 1}`);
    }
    // A search goes to the full-text index first, and the other filters apply to its matches: left
    // to itself the planner intersects it with the category index, which costs more than the
    // filter (a category holds thousands of skills; two search words match a few hundred).
    const source = tsQuery ? Prisma.sql`(SELECT * FROM skills WHERE search @@ ${tsQuery} OFFSET 0)` : Prisma.sql`skills`;
    return this.rows<SkillRow & { sort_value: unknown }>(Prisma.sql`
      SELECT ${COLUMNS}, ${sortKey} AS sort_value FROM ${source} s ${RELIABILITY}
      WHERE ${Prisma.join(where, " AND ")}
      ORDER BY ${sortKey} DESC, s.address DESC
      LIMIT ${q.limit + 1}`);
  }

  async byAddress(address: string): Promise<SkillRow | undefined> {
    const [row] = await this.rows<SkillRow>(Prisma.sql`SELECT ${COLUMNS} FROM skills s ${RELIABILITY} WHERE s.address = ${address}`);
    return row;
  }

  async exists(address: string): Promise<boolean> {
    return (await this.db.skill.findUnique({ where: { address }, select: { address: true } })) !== null;
  }

  /** An author's skills, newest first, or best-selling first. */
  async byAuthor(author: string, order: "newest" | "popular", limit: number): Promise<SkillRow[]> {
    const by = order === "newest" ? Prisma.sql`s.created_at DESC` : Prisma.sql`s.sales DESC`;
    return this.db.$queryRaw<SkillRow[]>`SELECT ${COLUMNS} FROM skills s ${RELIABILITY} WHERE s.author = ${author} ORDER BY ${by}, s.address DESC LIMIT ${limit}`;
  }

  async versions(skill: string, limit: number) {
    return this.db.skillVersion.findMany({ where: { skill }, orderBy: [{ slot: "desc" }, { signature: "desc" }], take: limit });
  }

  /** The reliability of each of a skill's versions that has run, by version. */
  async reliabilityByVersion(skill: string): Promise<Map<string, ReliabilityRow>> {
    const rows = await this.rows<ReliabilityRow & { version: string }>(
      Prisma.sql`SELECT r.version, ${Prisma.raw(selectList(SKILL_RELIABILITY, RELIABILITY_COLUMNS, "r"))} FROM skill_reliability r WHERE r.skill = ${skill}`,
    );
    return new Map(rows.map((r) => [r.version, r]));
  }

  /** What publishing's scan found in the source of the image a skill runs, if it was published here. */
  scanOf(skill: string, imageDigest: string) {
    return this.db.skillScan.findUnique({ where: { skill_imageDigest: { skill, imageDigest } } });
  }

  /** The tokens skills may be priced in now (SOL aside), with their decimals. */
  async currencies() {
    const rows = await this.db.currency.findMany({ where: { active: true }, select: { mint: true, decimals: true, tokenProgram: true }, orderBy: { addedAt: "asc" } });
    return rows;
  }

  async categories() {
    const rows = await this.db.skill.groupBy({ by: ["category"], where: { active: true }, _count: { _all: true }, orderBy: { category: "asc" } });
    return rows.map((r) => ({ category: r.category, skills: r._count._all }));
  }
}
