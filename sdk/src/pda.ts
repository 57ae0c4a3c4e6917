// Program-derived addresses of the marketplace's accounts (all PDAs of the program).
import { PublicKey } from "@solana/web3.js";
import { Buffer } from "buffer";
import {
  SEED_AGENT,
  SEED_CURRENCY,
  SEED_EVENT_AUTHORITY,
  SEED_FEE_VAULT,
  SEED_LICENSE,
  SEED_MARKETPLACE,
  SEED_METER,
  SEED_REVIEW,
  SEED_SKILL,
  SEED_SKILL_VAULT,
} from "./constants.js";
import { PROGRAM_ID } from "./program.js";

// Finding a PDA tries bump after bump, each an ed25519 curve check: far dearer than a map lookup,
// and a request often needs the same address twice (read the license, then name it in the
// instruction). PDAs never change, so recent ones are remembered, a bounded number.
const REMEMBERED = 10_000;
const remembered = new Map<string, PublicKey>();

function pda(seeds: (string | PublicKey)[], programId: PublicKey): PublicKey {
  const bytes = seeds.map((s) => (typeof s === "string" ? Buffer.from(s, "utf8") : s.toBuffer()));
  const key = programId.toBuffer().toString("hex") + bytes.map((b) => `:${b.toString("hex")}`).join("");
  let address = remembered.get(key);
  if (!address) {
    address = PublicKey.findProgramAddressSync(bytes, programId)[0];
    if (remembered.size >= REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, address);
  }
  return address;
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

/** The program-owned account SOL fees collect in until the admin withdraws them to the treasury. */
export function feeVaultPda(programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_FEE_VAULT], programId);
}

/**
 * A skill's vault authority: the owner of the token accounts pay-per-call (x402) payments land in
 * (the x402 `payTo`); only the program's `split_vault` signs for it.
 */
export function skillVaultAuthorityPda(skill: PublicKey, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_SKILL_VAULT, skill], programId);
}

/** The registration of a key allowed to record usage (one per executor operator). */
export function meterPda(authority: PublicKey, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_METER, authority], programId);
}

/** The allowlist entry of an SPL mint the marketplace accepts as a currency. */
export function currencyPda(mint: PublicKey, programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_CURRENCY, mint], programId);
}

/** The PDA that signs the program's event self-CPIs; every instruction names it. */
export function eventAuthorityPda(programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([SEED_EVENT_AUTHORITY], programId);
}

/** Where an upgradeable program's ProgramData (and so its upgrade authority) lives. */
export function programDataAddress(programId: PublicKey = PROGRAM_ID): PublicKey {
  return pda([programId], BPF_LOADER_UPGRADEABLE);
}

/** The upgradeable BPF loader, owner of every upgradeable program's ProgramData. */
export const BPF_LOADER_UPGRADEABLE = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/**
 * The upgrade authority a ProgramData account names (`null`: the program is immutable), from the
 * upgradeable loader's layout: u32 tag 3, u64 deploy slot, then an optional 32-byte key.
 */
export function upgradeAuthorityOf(programData: Uint8Array): PublicKey | null {
  const bytes = Buffer.from(programData);
  if (bytes.length < 13 || bytes.readUInt32LE(0) !== 3) throw new Error("not an upgradeable program's ProgramData account");
  if (bytes[12] === 0) return null;
  if (bytes.length < 45) throw new Error("ProgramData account is cut short");
  return new PublicKey(bytes.subarray(13, 45));
}
