// Reads of the indexer's `skills` and `skill_versions` tables for discovery. The columns come
// from the database package's table definitions, so a column is named in one place.
import { Prisma, selectList, SKILLS, type ColumnName, type PrismaClient, type RowOf } from "@skill-marketplace/db";
import { decodeCursor, type Sort } from "../../cursor.js";

/** What discovery shows of a skill: every column of `skills` but revenue and the bookkeeping ones. */
const VIEW_COLUMNS = [
  "address", "author", "slug", "version", "pricing", "interval_secs", "units_per_purchase", "price", "currency", "category",
  "docs_cid", "commit_sha", "image_digest", "active", "sales", "usage_units", "rating_sum", "rating_count", "created_at", "updated_at",
] as const satisfies readonly ColumnName<typeof SKILLS>[];

export type SkillRow = RowOf<typeof SKILLS, (typeof VIEW_COLUMNS)[number]>;

const COLUMNS = Prisma.raw(selectList(SKILLS, VIEW_COLUMNS, "s"));
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

export class SkillStore {
  constructor(private readonly db: PrismaClient) {}

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
    // A search goes to the full-text index first, and the other filters apply to its matches: left
    // to itself the planner intersects it with the category index, which costs more than the
    // filter (a category holds thousands of skills; two search words match a few hundred).
    const source = tsQuery ? Prisma.sql`(SELECT * FROM skills WHERE search @@ ${tsQuery} OFFSET 0)` : Prisma.sql`skills`;
    return this.db.$queryRaw<(SkillRow & { sort_value: unknown })[]>`
      SELECT ${COLUMNS}, ${sortKey} AS sort_value FROM ${source} s
      WHERE ${Prisma.join(where, " AND ")}
      ORDER BY ${sortKey} DESC, s.address DESC
      LIMIT ${q.limit + 1}`;
  }

  async byAddress(address: string): Promise<SkillRow | undefined> {
    const [row] = await this.db.$queryRaw<SkillRow[]>`SELECT ${COLUMNS} FROM skills s WHERE s.address = ${address}`;
    return row;
  }

  async exists(address: string): Promise<boolean> {
    return (await this.db.skill.findUnique({ where: { address }, select: { address: true } })) !== null;
  }

  /** An author's skills, newest first, or best-selling first. */
  async byAuthor(author: string, order: "newest" | "popular", limit: number): Promise<SkillRow[]> {
    const by = order === "newest" ? Prisma.sql`s.created_at DESC` : Prisma.sql`s.sales DESC`;
    return this.db.$queryRaw<SkillRow[]>`SELECT ${COLUMNS} FROM skills s WHERE s.author = ${author} ORDER BY ${by}, s.address DESC LIMIT ${limit}`;
  }

  async versions(skill: string, limit: number) {
    return this.db.skillVersion.findMany({ where: { skill }, orderBy: [{ slot: "desc" }, { signature: "desc" }], take: limit });
  }

  async categories() {
    const rows = await this.db.skill.groupBy({ by: ["category"], where: { active: true }, _count: { _all: true }, orderBy: { category: "asc" } });
    return rows.map((r) => ({ category: r.category, skills: r._count._all }));
  }
}
