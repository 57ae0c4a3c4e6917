// The indexer's tables as a seller's analytics reads them: daily stats, purchases, reviews and
// top skills of one seller.
import { Prisma, type PrismaClient } from "@skill-marketplace/db";

export class AnalyticsStore {
  constructor(private readonly db: PrismaClient) {}

  daily(seller: string, since: Date) {
    return this.db.$queryRaw<{ day: Date; currency: string; sales: number; revenue: Prisma.Decimal; usage_units: Prisma.Decimal }[]>`
      SELECT d.day, d.currency, SUM(d.sales)::int AS sales, SUM(d.revenue) AS revenue, SUM(d.usage_units) AS usage_units
      FROM skill_daily_stats d JOIN skills s ON s.address = d.skill
      WHERE s.author = ${seller} AND d.day >= ${since}::date
      GROUP BY d.day, d.currency ORDER BY d.day, d.currency`;
  }

  revenue(seller: string) {
    return this.db.$queryRaw<{ currency: string; sales: number; gross: Prisma.Decimal; net: Prisma.Decimal }[]>`
      SELECT currency, COUNT(*)::int AS sales, SUM(price) AS gross, SUM(seller_amount) AS net
      FROM purchases WHERE seller = ${seller} GROUP BY currency ORDER BY currency`;
  }

  async buyers(seller: string): Promise<number> {
    const rows = await this.db.$queryRaw<{ buyers: number }[]>`SELECT COUNT(DISTINCT buyer)::int AS buyers FROM purchases WHERE seller = ${seller}`;
    return rows[0]?.buyers ?? 0;
  }

  ratings(seller: string) {
    return this.db.$queryRaw<{ rating: number; count: number }[]>`
      SELECT r.rating, COUNT(*)::int AS count FROM reviews r JOIN skills s ON s.address = r.skill
      WHERE s.author = ${seller} AND NOT r.deleted GROUP BY r.rating`;
  }
}
