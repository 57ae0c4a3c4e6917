// Reads of the indexer's `reviews` table: a skill's reviews newest first, and how its ratings spread.
import type { PrismaClient } from "@skill-marketplace/db";

export interface ReviewRow {
  address: string;
  reviewer: string;
  rating: number;
  weight: { toFixed(digits: number): string };
  textCid: string;
  createdAt: Date;
  updatedAt: Date;
}

export class ReviewStore {
  constructor(private readonly db: PrismaClient) {}

  /** Up to `take` reviews of `skill` (deleted ones left out), newest first, after `after` when given. */
  async newest(skill: string, take: number, after?: { updatedAt: Date; address: string }): Promise<ReviewRow[]> {
    return this.db.review.findMany({
      where: {
        skill,
        deleted: false,
        ...(after ? { OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, address: { lt: after.address } }] } : {}),
      },
      orderBy: [{ updatedAt: "desc" }, { address: "desc" }],
      take,
    });
  }

  /** How many reviews of `skill` gave each rating. */
  async distribution(skill: string): Promise<{ rating: number; count: number }[]> {
    const rows = await this.db.review.groupBy({ by: ["rating"], where: { skill, deleted: false }, _count: { _all: true } });
    return rows.map((r) => ({ rating: r.rating, count: r._count._all }));
  }
}
