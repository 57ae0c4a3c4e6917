// Seller analytics for the authenticated seller, from the indexer's tables: sales, revenue per
// currency (gross and after the platform fee) and usage per day, distinct buyers, the rating
// distribution over all their skills, and their top skills.
import type { PrismaClient, Prisma } from "../data/prisma.js";
import { SKILL_COLUMNS, skillView } from "./discovery.js";

export class Analytics {
  constructor(private readonly db: PrismaClient) {}

  async seller(wallet: string, days: number) {
    const since = new Date(Date.now() - days * 86_400_000);
    since.setUTCHours(0, 0, 0, 0);
    const [daily, revenue, buyers, ratings, top] = await Promise.all([
      this.db.$queryRaw<{ day: Date; currency: string; sales: number; revenue: Prisma.Decimal; usage_units: Prisma.Decimal }[]>`
        SELECT d.day, d.currency, SUM(d.sales)::int AS sales, SUM(d.revenue) AS revenue, SUM(d.usage_units) AS usage_units
        FROM skill_daily_stats d JOIN skills s ON s.address = d.skill
        WHERE s.author = ${wallet} AND d.day >= ${since}::date
        GROUP BY d.day, d.currency ORDER BY d.day, d.currency`,
      this.db.$queryRaw<{ currency: string; sales: number; gross: Prisma.Decimal; net: Prisma.Decimal }[]>`
        SELECT currency, COUNT(*)::int AS sales, SUM(price) AS gross, SUM(seller_amount) AS net
        FROM purchases WHERE seller = ${wallet} GROUP BY currency ORDER BY currency`,
      this.db.$queryRaw<{ buyers: number }[]>`SELECT COUNT(DISTINCT buyer)::int AS buyers FROM purchases WHERE seller = ${wallet}`,
      this.db.$queryRaw<{ rating: number; count: number }[]>`
        SELECT r.rating, COUNT(*)::int AS count FROM reviews r JOIN skills s ON s.address = r.skill
        WHERE s.author = ${wallet} GROUP BY r.rating`,
      this.db.$queryRaw<Parameters<typeof skillView>[0][]>`
        SELECT ${SKILL_COLUMNS} FROM skills s WHERE s.author = ${wallet} ORDER BY s.sales DESC, s.address DESC LIMIT 5`,
    ]);
    const distribution = Object.fromEntries([1, 2, 3, 4, 5].map((r) => [String(r), 0]));
    for (const r of ratings) distribution[String(r.rating)] = r.count;
    return {
      seller: wallet,
      since: since.toISOString().slice(0, 10),
      buyers: buyers[0]?.buyers ?? 0,
      revenue: revenue.map((r) => ({ currency: r.currency, sales: r.sales, gross: r.gross.toFixed(0), net: r.net.toFixed(0) })),
      daily: daily.map((d) => ({
        day: d.day.toISOString().slice(0, 10),
        currency: d.currency,
        sales: d.sales,
        revenue: d.revenue.toFixed(0),
        usageUnits: d.usage_units.toFixed(0),
      })),
      ratingDistribution: distribution,
      topSkills: top.map(skillView),
    };
  }
}
