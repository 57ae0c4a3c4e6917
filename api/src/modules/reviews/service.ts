// Reviews: a skill's reviews a page at a time, and posting, which returns an unsigned post_review
// (or update_review, for a reviewer who already reviewed) transaction for the caller's wallet; the
// program enforces that only holders of a used license review, and that a lapsed license's review
// is frozen; the api says so before anyone signs.
import { fetchAccount, marketplaceProgram, postReview, reviewPda, reviewRight, unsignedTransaction, updateReview } from "@skill-marketplace/sdk";
import { Connection } from "@solana/web3.js";
import { COMMITMENT, keyOf, licenseState } from "../../adapters/chain.js";
import { decodeCursor, encodeCursor } from "../../cursor.js";
import { notFound, refused } from "../../errors.js";
import type { SkillStore } from "../skills/store.js";
import type { ReviewRow, ReviewStore } from "./store.js";
import type { ReviewTexts } from "./texts.js";

/** What a review shows: its rating, its weight (what the reviewer had paid, base units of the skill's currency) and its text. */
export async function reviewViews(rows: ReviewRow[], texts: ReviewTexts) {
  const bodies = await Promise.all(rows.map((r) => texts.text(r.textCid)));
  return rows.map((r, i) => ({
    id: r.address,
    reviewer: r.reviewer,
    rating: r.rating,
    weight: r.weight.toFixed(0),
    textCid: r.textCid,
    text: bodies[i]!,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

/** A count for every rating from 1 to 5, zero where no review gave it. */
export function ratingDistribution(counts: { rating: number; count: number }[]): Record<string, number> {
  const distribution = Object.fromEntries([1, 2, 3, 4, 5].map((r) => [String(r), 0]));
  for (const c of counts) distribution[String(c.rating)] = c.count;
  return distribution;
}

export class Reviews {
  /** Built once: constructing Anchor's client parses the whole IDL. */
  private readonly program;

  constructor(
    private readonly connection: Connection,
    private readonly store: ReviewStore,
    private readonly skills: SkillStore,
    private readonly texts: ReviewTexts,
  ) {
    this.program = marketplaceProgram({ connection });
  }

  /** A skill's reviews, newest first, a page at a time. */
  async list(skill: string, limit: number, cursor?: string) {
    if (!(await this.skills.exists(skill))) throw notFound(`skill ${skill}`);
    let after: { updatedAt: Date; address: string } | undefined;
    if (cursor) {
      const c = decodeCursor(cursor, "newest");
      after = { updatedAt: new Date(c.v), address: c.a };
    }
    const rows = await this.store.newest(skill, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      reviews: await reviewViews(page, this.texts),
      nextCursor: rows.length > limit && last ? encodeCursor({ s: "newest", v: last.updatedAt.toISOString(), a: last.address }) : null,
    };
  }

  /** The review transaction; a review given as text has the text stored first, once the review may be written. */
  async transaction(wallet: string, skillId: string, review: { rating: number; textCid?: string; text?: string }) {
    const skill = keyOf(skillId, "skill id");
    const reviewer = keyOf(wallet, "wallet");
    const { license } = await licenseState(this.connection, skill, reviewer);
    if (!license) throw refused("not_license_holder", "only a holder of a license to this skill can review it");
    const program = this.program;
    const existing = await fetchAccount(this.connection, "review", reviewPda(skill, reviewer), COMMITMENT);
    // The program's rules, told before anyone signs.
    switch (reviewRight(license.account, Math.floor(Date.now() / 1000), existing !== null)) {
      case "notUsed":
        throw refused("license_not_used", "only a license that has been used can review: record at least one call under it first");
      case "lapsed":
        throw refused("review_locked", "the license has lapsed: the review keeps its weight and can be deleted, but no longer changed");
    }
    const textCid = review.textCid ?? (await this.texts.store(review.text!));
    const params = { reviewer, skill, rating: review.rating, textCid };
    const instruction = await (existing ? updateReview(program, params) : postReview(program, params)).instruction();
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash(COMMITMENT);
    return {
      action: existing ? ("update" as const) : ("post" as const),
      review: reviewPda(skill, reviewer).toBase58(),
      textCid,
      transaction: unsignedTransaction(reviewer, [instruction], blockhash),
      lastValidBlockHeight: String(lastValidBlockHeight),
    };
  }
}
