// Seller analytics for the authenticated seller, from the indexer's tables: sales, revenue per
// currency (gross and after the platform fee) and usage per day, distinct buyers, the rating
// distribution over all their skills, and their top skills.
import { ratingDistribution } from "../reviews/service.js";
import { skillView } from "../skills/service.js";
import type { SkillStore } from "../skills/store.js";
import type { AnalyticsStore } from "./store.js";

export class Analytics {
  constructor(
    private readonly store: AnalyticsStore,
    private readonly skills: SkillStore,
  ) {}

  async seller(wallet: string, days: number) {
    const since = new Date(Date.now() - days * 86_400_000);
    since.setUTCHours(0, 0, 0, 0);
    const [daily, revenue, buyers, ratings, top] = await Promise.all([
      this.store.daily(wallet, since),
      this.store.revenue(wallet),
      this.store.buyers(wallet),
      this.store.ratings(wallet),
      this.skills.byAuthor(wallet, "popular", 5),
    ]);
    return {
      seller: wallet,
      since: since.toISOString().slice(0, 10),
      buyers,
      revenue: revenue.map((r) => ({ currency: r.currency, sales: r.sales, gross: r.gross.toFixed(0), net: r.net.toFixed(0) })),
      daily: daily.map((d) => ({
        day: d.day.toISOString().slice(0, 10),
        currency: d.currency,
        sales: d.sales,
        revenue: d.revenue.toFixed(0),
        usageUnits: d.usage_units.toFixed(0),
      })),
      ratingDistribution: ratingDistribution(ratings),
      topSkills: top.map(skillView),
    };
  }
}
