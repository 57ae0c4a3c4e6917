// Reviews: posting returns an unsigned post_review (or update_review, for a reviewer who already
// reviewed) transaction for the caller's wallet; the program enforces that only license holders
// review, and the api says so before anyone signs.
import { Connection } from "@solana/web3.js";
import { fetchAccount, marketplaceProgram, postReview, reviewPda, updateReview } from "../../../sdk/src/index.js";
import { ApiError } from "../http/errors.js";
import { COMMITMENT, parsePubkey, readLicense, requireSkill, unsignedTransaction } from "./chain.js";

export class Reviews {
  /** Built once: constructing Anchor's client parses the whole IDL. */
  private readonly program;

  constructor(private readonly connection: Connection) {
    this.program = marketplaceProgram({ connection });
  }

  async transaction(wallet: string, skillId: string, review: { rating: number; textCid: string }) {
    const skill = parsePubkey(skillId, "skill id");
    const reviewer = parsePubkey(wallet, "wallet");
    await requireSkill(this.connection, skill);
    if (!(await readLicense(this.connection, skill, reviewer))) {
      throw new ApiError(403, "not_license_holder", "only a holder of a license to this skill can review it");
    }
    const program = this.program;
    const existing = await fetchAccount(this.connection, "review", reviewPda(skill, reviewer), COMMITMENT);
    const params = { reviewer, skill, rating: review.rating, textCid: review.textCid };
    const instruction = await (existing ? updateReview(program, params) : postReview(program, params)).instruction();
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash(COMMITMENT);
    return {
      action: existing ? ("update" as const) : ("post" as const),
      review: reviewPda(skill, reviewer).toBase58(),
      transaction: unsignedTransaction(reviewer, [instruction], blockhash),
      lastValidBlockHeight: String(lastValidBlockHeight),
    };
  }
}
