// Discovery over the indexer's tables: ranked full-text search, filters, three sort orders with
// keyset cursors (stable while new skills arrive), skill details with provenance, versions and
// reviews, categories, and agents with their skills and reputation. Amounts stay exact strings.
import { badRequest, notFound } from "../http/errors.js";
import { Prisma, type PrismaClient } from "../data/prisma.js";
import type { SkillDocs } from "./docs.js";

export type Sort = "popular" | "newest" | "rating" | "relevance";

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

interface SkillRow {
  address: string;
  author: string;
  slug: string;
  version: string;
  pricing: string;
  interval_secs: bigint | null;
  units_per_purchase: Prisma.Decimal | null;
  price: Prisma.Decimal;
  currency: string;
  category: string;
  docs_cid: string;
  commit_sha: string;
  image_digest: string;
  active: boolean;
  sales: Prisma.Decimal;
  usage_units: Prisma.Decimal;
  rating_sum: Prisma.Decimal;
  rating_count: number;
  created_at: Date;
  updated_at: Date;
  rank?: number;
}

export function skillView(r: SkillRow) {
  const count = r.rating_count;
  return {
    id: r.address,
    slug: r.slug,
    author: r.author,
    version: r.version,
    category: r.category,
    pricing: {
      kind: r.pricing,
      intervalSecs: r.interval_secs === null ? null : Number(r.interval_secs),
      unitsPerPurchase: r.units_per_purchase?.toFixed(0) ?? null,
    },
    price: r.price.toFixed(0),
    currency: r.currency,
    active: r.active,
    sales: r.sales.toFixed(0),
    usageUnits: r.usage_units.toFixed(0),
    rating: { average: count > 0 ? Math.round((Number(r.rating_sum) / count) * 100) / 100 : null, count },
    provenance: { docsCid: r.docs_cid, commitSha: r.commit_sha, imageDigest: r.image_digest },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export type SkillView = ReturnType<typeof skillView>;

interface Cursor {
  s: Sort;
  v: string;
  a: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

function decodeCursor(value: string, sort: Sort): Cursor {
  try {
    const c = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Cursor;
    const valid =
      c.s === sort &&
      typeof c.a === "string" &&
      typeof c.v === "string" &&
      (sort === "newest" ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(c.v) : /^-?\d{1,40}(\.\d{1,40})?(e-?\d{1,3})?$/i.test(c.v));
    if (valid) return c;
  } catch {
    // fall through
  }
  throw badRequest("invalid_cursor", "cursor is not one this query returned; start again without it");
}

/** Every column of `skills` but the tsvector, which the driver adapter cannot read. */
export const SKILL_COLUMNS = Prisma.raw(
  ["address", "author", "slug", "version", "pricing", "interval_secs", "units_per_purchase", "price", "currency", "category",
    "docs_cid", "commit_sha", "image_digest", "active", "sales", "usage_units", "rating_sum", "rating_count", "created_at", "updated_at"]
    .map((c) => `s.${c}`)
    .join(", "),
);

const RATING = Prisma.sql`(CASE WHEN s.rating_count > 0 THEN s.rating_sum / s.rating_count ELSE 0 END)`;

export class Discovery {
  constructor(
    private readonly db: PrismaClient,
    private readonly docs: SkillDocs,
  ) {}

  async skills(q: SkillQuery) {
    const sort: Sort = q.sort ?? (q.search ? "relevance" : "newest");
    if (sort === "relevance" && !q.search) throw badRequest("invalid_sort", "sort=relevance needs a search");
    const where: Prisma.Sql[] = [Prisma.sql`s.active`];
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
    const source = tsQuery
      ? Prisma.sql`(SELECT * FROM skills WHERE search @@ ${tsQuery} OFFSET 0)`
      : Prisma.sql`skills`;
    const rows = await this.db.$queryRaw<(SkillRow & { sort_value: unknown })[]>`
      SELECT ${SKILL_COLUMNS}, ${sortKey} AS sort_value FROM ${source} s
      WHERE ${Prisma.join(where, " AND ")}
      ORDER BY ${sortKey} DESC, s.address DESC
      LIMIT ${q.limit + 1}`;
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > q.limit && last
        ? encodeCursor({ s: sort, v: last.sort_value instanceof Date ? last.sort_value.toISOString() : String(last.sort_value), a: last.address })
        : null;
    return { skills: page.map(skillView), nextCursor, sort };
  }

  async skill(id: string) {
    const [row] = await this.db.$queryRaw<SkillRow[]>`SELECT ${SKILL_COLUMNS} FROM skills s WHERE s.address = ${id}`;
    if (!row) throw notFound(`skill ${id}`);
    const [reviews, distribution, versions, docs] = await Promise.all([
      this.db.review.findMany({ where: { skill: id }, orderBy: [{ updatedAt: "desc" }, { address: "desc" }], take: 20 }),
      this.db.review.groupBy({ by: ["rating"], where: { skill: id }, _count: { _all: true } }),
      this.db.skillVersion.findMany({ where: { skill: id }, orderBy: [{ slot: "desc" }, { signature: "desc" }], take: 20 }),
      this.docs.read(row.docs_cid),
    ]);
    const ratings = Object.fromEntries([1, 2, 3, 4, 5].map((r) => [String(r), 0]));
    for (const d of distribution) ratings[String(d.rating)] = d._count._all;
    return {
      ...skillView(row),
      docs: {
        cid: row.docs_cid,
        url: `ipfs://${row.docs_cid}`,
        status: docs.status,
        summary: docs.status === "available" ? docs.summary : null,
        reason: docs.status === "available" ? null : docs.reason,
      },
      skillMd: docs.status === "available" ? docs.skillMd : null,
      apiSpec: docs.status === "available" ? docs.apiSpec : null,
      examples: docs.status === "available" ? docs.examples : [],
      ratingDistribution: ratings,
      reviews: reviews.map(reviewView),
      versions: versions.map((v) => ({
        version: v.version,
        previousVersion: v.previousVersion,
        price: v.price.toFixed(0),
        docsCid: v.docsCid,
        commitSha: v.commitSha,
        imageDigest: v.imageDigest,
        publishedAt: v.publishedAt.toISOString(),
        signature: v.signature,
      })),
    };
  }

  async reviews(skill: string, limit: number, cursor?: string) {
    if (!(await this.db.skill.findUnique({ where: { address: skill }, select: { address: true } }))) throw notFound(`skill ${skill}`);
    let after: { updatedAt: Date; address: string } | undefined;
    if (cursor) {
      const c = decodeCursor(cursor, "newest");
      after = { updatedAt: new Date(c.v), address: c.a };
    }
    const rows = await this.db.review.findMany({
      where: {
        skill,
        ...(after
          ? { OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, address: { lt: after.address } }] }
          : {}),
      },
      orderBy: [{ updatedAt: "desc" }, { address: "desc" }],
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      reviews: page.map(reviewView),
      nextCursor: rows.length > limit && last ? encodeCursor({ s: "newest", v: last.updatedAt.toISOString(), a: last.address }) : null,
    };
  }

  async categories() {
    const rows = await this.db.skill.groupBy({ by: ["category"], where: { active: true }, _count: { _all: true }, orderBy: { category: "asc" } });
    return rows.map((r) => ({ category: r.category, skills: r._count._all }));
  }

  async agent(wallet: string) {
    const [agent, reputation, skills] = await Promise.all([
      this.db.agent.findUnique({ where: { wallet } }),
      this.db.sellerReputation.findUnique({ where: { seller: wallet } }),
      this.db.$queryRaw<SkillRow[]>`SELECT ${SKILL_COLUMNS} FROM skills s WHERE s.author = ${wallet} ORDER BY s.created_at DESC, s.address DESC LIMIT 100`,
    ]);
    const profile = await this.db.agentAccount.findUnique({ where: { wallet } });
    if (!agent && !profile) throw notFound(`agent ${wallet}`);
    return {
      wallet,
      name: agent?.name ?? null,
      metadataUri: agent?.metadataUri ?? null,
      registeredAt: agent?.registeredAt.toISOString() ?? null,
      profile: profile ? { displayName: profile.displayName, description: profile.description, website: profile.website } : null,
      reputation: reputation
        ? {
            score: Number(reputation.reputation),
            weightedRating: Number(reputation.weightedRating),
            sales: reputation.sales.toFixed(0),
            qualityMultiplier: Number(reputation.qualityMultiplier),
          }
        : null,
      skills: skills.map(skillView),
    };
  }
}

function reviewView(r: { address: string; reviewer: string; rating: number; textCid: string; createdAt: Date; updatedAt: Date }) {
  return {
    id: r.address,
    reviewer: r.reviewer,
    rating: r.rating,
    textCid: r.textCid,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
