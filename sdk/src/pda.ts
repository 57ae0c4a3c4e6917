// Program-derived addresses of the marketplace's accounts (all PDAs of the program).
import { PublicKey } from "@solana/web3.js";
import { SEED_AGENT, SEED_LICENSE, SEED_MARKETPLACE, SEED_REVIEW, SEED_SKILL } from "./constants.js";
import { PROGRAM_ID } from "./program.js";

function pda(seeds: (string | PublicKey)[], programId: PublicKey): PublicKey {
  const bytes = seeds.map((s) => (typeof s === "string" ? Buffer.from(s, "utf8") : s.toBuffer()));
  return PublicKey.findProgramAddressSync(bytes, programId)[0];
}

/** The single marketplace configuration account. */
export function marketplacePda(programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_MARKETPLACE], programId);
}

/** The agent profile of a wallet. */
export function agentPda(wallet: PublicKey, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_AGENT, wallet], programId);
}

/** A skill, unique per (author, slug). */
export function skillPda(author: PublicKey, slug: string, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_SKILL, author, slug], programId);
}

/** The license a buyer holds for a skill (one per pair; renewals and top-ups extend it). */
export function licensePda(skill: PublicKey, buyer: PublicKey, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_LICENSE, skill, buyer], programId);
}

/** A reviewer's review of a skill (one per pair). */
export function reviewPda(skill: PublicKey, reviewer: PublicKey, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_REVIEW, skill, reviewer], programId);
}
