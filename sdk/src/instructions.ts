// Instruction builders for the marketplace's flows. Each returns Anchor's MethodsBuilder with
// every account given explicitly (no RPC look-ups), so callers choose `.instruction()` for a
// transaction someone else signs (Solana Pay, wallets), or `.signers([...]).rpc()` to send.
import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { PublicKey, SystemProgram } from "@solana/web3.js";
import BN from "bn.js";
import { Buffer } from "buffer";
import type { Pricing, Provenance, Semver, SkillAccount } from "./accounts.js";
import { agentPda, licensePda, marketplacePda, reviewPda, skillPda } from "./pda.js";
import type { MarketplaceProgram } from "./program.js";
import { solanaPayReference } from "./solanaPay.js";

/** A u64 / i64 amount as callers hold it; Anchor wants BN. */
export type Amount = BN | bigint | number;

export function toBN(value: Amount): BN {
  if (BN.isBN(value)) return value;
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  return new BN(value.toString());
}

export const pricing = {
  oneTime: (): Pricing => ({ oneTime: {} }),
  /** Each purchase adds `intervalSecs` of access (at least 3600). */
  subscription: (intervalSecs: Amount): Pricing => ({ subscription: { intervalSecs: toBN(intervalSecs) } }),
  /** Each purchase adds `unitsPerPurchase` metered units. */
  usage: (unitsPerPurchase: Amount): Pricing => ({ usage: { unitsPerPurchase: toBN(unitsPerPurchase) } }),
};

export function semver(version: string): Semver {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`"${version}" is not a major.minor.patch version`);
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  if ([major, minor, patch].some((n) => n > 0xffff)) throw new RangeError(`"${version}": parts must fit in u16`);
  return { major, minor, patch };
}

function hexBytes(hex: string, length: number, what: string): number[] {
  if (!new RegExp(`^[0-9a-fA-F]{${length * 2}}$`).test(hex)) throw new Error(`${what} must be ${length * 2} hex characters`);
  return [...Buffer.from(hex, "hex")];
}

/** Provenance of a skill version from how GitHub and Docker print it. */
export function provenance(docsCid: string, commitSha: string, imageDigest: string): Provenance {
  return {
    docsCid,
    commitSha: hexBytes(commitSha, 20, "commit SHA"),
    imageDigest: hexBytes(imageDigest.replace(/^sha256:/, ""), 32, "image digest"),
  };
}

export function initializeMarketplace(
  program: MarketplaceProgram,
  p: { admin: PublicKey; treasury: PublicKey; feeBps: number; meterAuthority: PublicKey },
) {
  return program.methods
    .initializeMarketplace({ treasury: p.treasury, feeBps: p.feeBps, meterAuthority: p.meterAuthority })
    .accountsStrict({ admin: p.admin, marketplace: marketplacePda(), systemProgram: SystemProgram.programId });
}

export function registerAgent(program: MarketplaceProgram, p: { wallet: PublicKey; name: string; metadataUri: string }) {
  return program.methods
    .registerAgent({ name: p.name, metadataUri: p.metadataUri })
    .accountsStrict({
      wallet: p.wallet,
      marketplace: marketplacePda(),
      agent: agentPda(p.wallet),
      systemProgram: SystemProgram.programId,
    });
}

export interface RegisterSkillParams {
  author: PublicKey;
  slug: string;
  version: Semver;
  category: string;
  pricing: Pricing;
  /** Per purchase, in lamports or in base units of `currencyMint`. */
  price: Amount;
  provenance: Provenance;
  /** SPL mint (Token or Token-2022) the skill is priced in; omit for SOL. */
  currencyMint?: PublicKey;
}

export function registerSkill(program: MarketplaceProgram, p: RegisterSkillParams) {
  return program.methods
    .registerSkill({
      slug: p.slug,
      version: p.version,
      category: p.category,
      pricing: p.pricing,
      price: toBN(p.price),
      provenance: p.provenance,
    })
    .accountsStrict({
      author: p.author,
      marketplace: marketplacePda(),
      agent: agentPda(p.author),
      skill: skillPda(p.author, p.slug),
      currencyMint: p.currencyMint ?? null,
      systemProgram: SystemProgram.programId,
    });
}

/** What a purchase needs to know of the skill: a decoded `Skill` plus its address will do. */
export type SkillRef = Pick<SkillAccount, "author" | "currency"> & { address: PublicKey };

export interface PurchaseLicenseParams {
  buyer: PublicKey;
  skill: SkillRef;
  /** `Marketplace.treasury`: the fee's recipient (its token account for SPL skills). */
  treasury: PublicKey;
  /** The most the buyer agrees to pay; the purchase fails if the price went above it. */
  maxPrice: Amount;
  /** Solana Pay reference key, found later with `findReference`. */
  reference?: PublicKey;
  /** Owner of the skill's mint: Token (default) or Token-2022. */
  tokenProgram?: PublicKey;
}

/**
 * Buys a license, in SOL or in the skill's SPL mint. Buying again renews a subscription
 * (from max(now, expires_at)) or tops up a usage license; it fails for a one-time license.
 * SPL payments go between the associated token accounts of buyer, author and treasury.
 */
export function purchaseLicense(program: MarketplaceProgram, p: PurchaseLicenseParams) {
  const common = {
    buyer: p.buyer,
    marketplace: marketplacePda(),
    skill: p.skill.address,
    license: licensePda(p.skill.address, p.buyer),
    systemProgram: SystemProgram.programId,
  };
  const remaining = p.reference ? [solanaPayReference(p.reference)] : [];
  const args = { maxPrice: toBN(p.maxPrice) };
  const mint = p.skill.currency;
  if (mint === null) {
    return program.methods
      .purchaseLicense(args)
      .accountsStrict({ ...common, seller: p.skill.author, treasury: p.treasury })
      .remainingAccounts(remaining);
  }
  const tokenProgram = p.tokenProgram ?? TOKEN_PROGRAM_ID;
  const ata = (owner: PublicKey) => getAssociatedTokenAddressSync(mint, owner, true, tokenProgram);
  return program.methods
    .purchaseLicenseSpl(args)
    .accountsStrict({
      ...common,
      mint,
      buyerToken: ata(p.buyer),
      sellerToken: ata(p.skill.author),
      treasuryToken: ata(p.treasury),
      tokenProgram,
    })
    .remainingAccounts(remaining);
}

/**
 * `purchaseLicense` with the skill, treasury and token program read from chain; `maxPrice`
 * defaults to the price the skill has now.
 */
export async function preparePurchase(
  program: MarketplaceProgram,
  p: { buyer: PublicKey; skill: PublicKey; maxPrice?: Amount; reference?: PublicKey },
) {
  const [skill, marketplace] = await Promise.all([
    program.account.skill.fetch(p.skill),
    program.account.marketplace.fetch(marketplacePda()),
  ]);
  let tokenProgram: PublicKey | undefined;
  if (skill.currency) {
    const mint = await program.provider.connection.getAccountInfo(skill.currency);
    if (!mint) throw new Error(`mint ${skill.currency.toBase58()} of skill ${p.skill.toBase58()} not found`);
    tokenProgram = mint.owner;
  }
  return purchaseLicense(program, {
    buyer: p.buyer,
    skill: { address: p.skill, author: skill.author, currency: skill.currency },
    treasury: marketplace.treasury,
    maxPrice: p.maxPrice ?? skill.price,
    reference: p.reference,
    tokenProgram,
  });
}

/** The meter authority records `units` used under `buyer`'s license of `skill`. */
export function recordUsage(
  program: MarketplaceProgram,
  p: { meterAuthority: PublicKey; skill: PublicKey; buyer: PublicKey; units: Amount; receiptHash: Uint8Array },
) {
  if (p.receiptHash.length !== 32) throw new Error("receipt hash must be 32 bytes");
  return program.methods
    .recordUsage({ units: toBN(p.units), receiptHash: [...p.receiptHash] })
    .accountsStrict({
      meterAuthority: p.meterAuthority,
      marketplace: marketplacePda(),
      skill: p.skill,
      license: licensePda(p.skill, p.buyer),
    });
}

export interface ReviewParams {
  reviewer: PublicKey;
  skill: PublicKey;
  rating: number;
  /** IPFS CID of the review's text. */
  textCid: string;
}

/** The accounts of a review: the reviewer's license to the skill proves they bought it. */
const reviewAccounts = (p: ReviewParams) => ({
  reviewer: p.reviewer,
  skill: p.skill,
  license: licensePda(p.skill, p.reviewer),
  review: reviewPda(p.skill, p.reviewer),
});

/** A license holder reviews a skill; the text lives on IPFS. */
export function postReview(program: MarketplaceProgram, p: ReviewParams) {
  return program.methods
    .postReview({ rating: p.rating, textCid: p.textCid })
    .accountsStrict({ ...reviewAccounts(p), systemProgram: SystemProgram.programId });
}

/** The reviewer changes the rating or text of their existing review. */
export function updateReview(program: MarketplaceProgram, p: ReviewParams) {
  return program.methods.updateReview({ rating: p.rating, textCid: p.textCid }).accountsStrict(reviewAccounts(p));
}

/**
 * The admin changes the marketplace's settings; every field left out stays as it is. The fee is
 * capped by the program (MAX_FEE_BPS).
 */
export function updateMarketplace(
  program: MarketplaceProgram,
  p: { admin: PublicKey; newAdmin?: PublicKey; treasury?: PublicKey; feeBps?: number; meterAuthority?: PublicKey; paused?: boolean },
) {
  return program.methods
    .updateMarketplace({
      admin: p.newAdmin ?? null,
      treasury: p.treasury ?? null,
      feeBps: p.feeBps ?? null,
      meterAuthority: p.meterAuthority ?? null,
      paused: p.paused ?? null,
    })
    .accountsStrict({ admin: p.admin, marketplace: marketplacePda() });
}

/** An agent changes its on-chain name and metadata URI. */
export function updateAgent(program: MarketplaceProgram, p: { wallet: PublicKey; name: string; metadataUri: string }) {
  return program.methods
    .updateAgent({ name: p.name, metadataUri: p.metadataUri })
    .accountsStrict({ wallet: p.wallet, agent: agentPda(p.wallet) });
}

/**
 * The author publishes a new version of a skill (the version must increase; provenance is
 * replaced whole); price and category change only when given.
 */
export function updateSkill(
  program: MarketplaceProgram,
  p: { author: PublicKey; slug: string; version: Semver; provenance: Provenance; price?: Amount; category?: string },
) {
  return program.methods
    .updateSkill({
      version: p.version,
      provenance: p.provenance,
      price: p.price === undefined ? null : toBN(p.price),
      category: p.category ?? null,
    })
    .accountsStrict({ author: p.author, skill: skillPda(p.author, p.slug) });
}

/** The author lists (true) or delists (false) a skill; a delisted skill cannot be bought. */
export function setSkillActive(program: MarketplaceProgram, p: { author: PublicKey; slug: string; active: boolean }) {
  return program.methods.setSkillActive(p.active).accountsStrict({ author: p.author, skill: skillPda(p.author, p.slug) });
}

/** The buyer closes a spent license (expired subscription or used-up units) and gets its rent back. */
export function closeLicense(program: MarketplaceProgram, p: { buyer: PublicKey; skill: PublicKey }) {
  return program.methods.closeLicense().accountsStrict({ buyer: p.buyer, license: licensePda(p.skill, p.buyer) });
}
