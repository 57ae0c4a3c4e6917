// Instruction builders, one for every instruction of the program. Each returns Anchor's
// MethodsBuilder with every account given explicitly (no RPC look-ups), so callers choose
// `.instruction()` for a transaction someone else signs (Solana Pay, wallets), or
// `.signers([...]).rpc()` to send. Every instruction also names the program's event authority and
// the program itself: events are emitted by self-CPI (see events.ts).
import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { PublicKey, SystemProgram } from "@solana/web3.js";
import BN from "bn.js";
import { Buffer } from "buffer";
import type { Pricing, Provenance, Semver, SkillAccount } from "./accounts.js";
import {
  agentPda,
  currencyPda,
  eventAuthorityPda,
  feeVaultPda,
  licensePda,
  marketplacePda,
  meterPda,
  programDataAddress,
  reviewPda,
  skillPda,
  skillVaultAuthorityPda,
} from "./pda.js";
import { PROGRAM_ID, type MarketplaceProgram } from "./program.js";
import { priceAt } from "./skill.js";
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

/** The two accounts every instruction carries for its events' self-CPI. */
const events = () => ({ eventAuthority: eventAuthorityPda(), program: PROGRAM_ID });

/** Admin-only configuration instructions share these accounts. */
const adminAccounts = (admin: PublicKey) => ({ admin, marketplace: marketplacePda(), ...events() });

// ----- the marketplace: set-up, roles, money -----

export interface InitializeMarketplaceParams {
  /** The program's upgrade authority: only it may initialize, and it becomes admin. */
  admin: PublicKey;
  treasury: PublicKey;
  feeBps: number;
  /** May pause and unpause besides the admin. */
  pauser: PublicKey;
  /** Notice (seconds) before a fee change, a new version or a price increase applies. */
  noticeSecs: Amount;
}

export function initializeMarketplace(program: MarketplaceProgram, p: InitializeMarketplaceParams) {
  return program.methods
    .initializeMarketplace({ treasury: p.treasury, feeBps: p.feeBps, pauser: p.pauser, noticeSecs: toBN(p.noticeSecs) })
    .accountsStrict({
      admin: p.admin,
      marketplace: marketplacePda(),
      feeVault: feeVaultPda(),
      programData: programDataAddress(),
      systemProgram: SystemProgram.programId,
      ...events(),
    });
}

/**
 * The admin changes the marketplace's settings; every field left out stays as it is. A fee
 * (capped by MAX_FEE_BPS) applies after the notice period; the notice period may only grow.
 */
export function updateMarketplace(
  program: MarketplaceProgram,
  p: { admin: PublicKey; treasury?: PublicKey; feeBps?: number; pauser?: PublicKey; noticeSecs?: Amount },
) {
  return program.methods
    .updateMarketplace({
      treasury: p.treasury ?? null,
      feeBps: p.feeBps ?? null,
      pauser: p.pauser ?? null,
      noticeSecs: p.noticeSecs === undefined ? null : toBN(p.noticeSecs),
    })
    .accountsStrict(adminAccounts(p.admin));
}

/** The admin proposes the next admin (`null` withdraws the proposal); nothing changes until it accepts. */
export function proposeAdmin(program: MarketplaceProgram, p: { admin: PublicKey; newAdmin: PublicKey | null }) {
  return program.methods.proposeAdmin(p.newAdmin).accountsStrict(adminAccounts(p.admin));
}

/** The proposed admin accepts and becomes admin. */
export function acceptAdmin(program: MarketplaceProgram, p: { newAdmin: PublicKey }) {
  return program.methods.acceptAdmin().accountsStrict({ newAdmin: p.newAdmin, marketplace: marketplacePda(), ...events() });
}

/** The admin or the pauser pauses (or unpauses) the marketplace. */
export function setPaused(program: MarketplaceProgram, p: { signer: PublicKey; paused: boolean }) {
  return program.methods.setPaused(p.paused).accountsStrict({ signer: p.signer, marketplace: marketplacePda(), ...events() });
}

/** The admin registers a key allowed to record usage (an executor operator's signer). */
export function addMeterAuthority(program: MarketplaceProgram, p: { admin: PublicKey; authority: PublicKey }) {
  return program.methods
    .addMeterAuthority(p.authority)
    .accountsStrict({ ...adminAccounts(p.admin), meter: meterPda(p.authority), systemProgram: SystemProgram.programId });
}

/** The admin revokes a meter authority; its rent goes back to the admin. */
export function revokeMeterAuthority(program: MarketplaceProgram, p: { admin: PublicKey; authority: PublicKey }) {
  return program.methods.revokeMeterAuthority().accountsStrict({ ...adminAccounts(p.admin), meter: meterPda(p.authority) });
}

/** The admin moves `amount` lamports of SOL fees from the fee vault to the treasury. */
export function withdrawFees(program: MarketplaceProgram, p: { admin: PublicKey; treasury: PublicKey; amount: Amount }) {
  return program.methods
    .withdrawFees(toBN(p.amount))
    .accountsStrict({ ...adminAccounts(p.admin), feeVault: feeVaultPda(), treasury: p.treasury });
}

/** The admin accepts an SPL mint (Token or Token-2022, without risky extensions) as a currency. */
export function addCurrency(program: MarketplaceProgram, p: { admin: PublicKey; mint: PublicKey; tokenProgram?: PublicKey }) {
  return program.methods.addCurrency().accountsStrict({
    ...adminAccounts(p.admin),
    mint: p.mint,
    currency: currencyPda(p.mint),
    tokenProgram: p.tokenProgram ?? TOKEN_PROGRAM_ID,
    systemProgram: SystemProgram.programId,
  });
}

/** The admin stops accepting a mint for new skills (skills priced in it keep selling). */
export function removeCurrency(program: MarketplaceProgram, p: { admin: PublicKey; mint: PublicKey }) {
  return program.methods.removeCurrency().accountsStrict({ ...adminAccounts(p.admin), currency: currencyPda(p.mint) });
}

/** The admin suspends a skill with a reason (an IPFS CID), or lifts the suspension with `null`. */
export function setSkillSuspension(program: MarketplaceProgram, p: { admin: PublicKey; skill: PublicKey; reasonCid: string | null }) {
  return program.methods.setSkillSuspension(p.reasonCid).accountsStrict({ ...adminAccounts(p.admin), skill: p.skill });
}

// ----- agents and skills -----

export function registerAgent(program: MarketplaceProgram, p: { wallet: PublicKey; name: string; metadataUri: string }) {
  return program.methods
    .registerAgent({ name: p.name, metadataUri: p.metadataUri })
    .accountsStrict({
      wallet: p.wallet,
      marketplace: marketplacePda(),
      agent: agentPda(p.wallet),
      systemProgram: SystemProgram.programId,
      ...events(),
    });
}

/** An agent changes its on-chain name and metadata URI. */
export function updateAgent(program: MarketplaceProgram, p: { wallet: PublicKey; name: string; metadataUri: string }) {
  return program.methods
    .updateAgent({ name: p.name, metadataUri: p.metadataUri })
    .accountsStrict({ wallet: p.wallet, agent: agentPda(p.wallet), ...events() });
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
  /** An SPL mint the marketplace accepts (see addCurrency) the skill is priced in; omit for SOL. */
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
      currency: p.currencyMint ? currencyPda(p.currencyMint) : null,
      systemProgram: SystemProgram.programId,
      ...events(),
    });
}

/**
 * The author publishes a new version of a skill (above the current and any pending one;
 * provenance replaced whole). The version, and a price increase, apply after the marketplace's
 * notice period; a lower price and a category apply at once.
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
    .accountsStrict({ author: p.author, marketplace: marketplacePda(), skill: skillPda(p.author, p.slug), ...events() });
}

/** The author lists (true) or delists (false) a skill; a delisted skill cannot be bought. */
export function setSkillActive(program: MarketplaceProgram, p: { author: PublicKey; slug: string; active: boolean }) {
  return program.methods
    .setSkillActive(p.active)
    .accountsStrict({ author: p.author, marketplace: marketplacePda(), skill: skillPda(p.author, p.slug), ...events() });
}

// ----- licenses -----

/** What a purchase needs to know of the skill: a decoded `Skill` plus its address will do. */
export type SkillRef = Pick<SkillAccount, "author" | "currency"> & { address: PublicKey };

export interface PurchaseLicenseParams {
  buyer: PublicKey;
  skill: SkillRef;
  /** `Marketplace.treasury`: owner of the token account SPL fees are paid into (SOL fees go to the fee vault). */
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
 * SOL fees go to the fee vault; SPL payments go between the associated token accounts of buyer,
 * author and treasury.
 */
export function purchaseLicense(program: MarketplaceProgram, p: PurchaseLicenseParams) {
  const common = {
    buyer: p.buyer,
    marketplace: marketplacePda(),
    skill: p.skill.address,
    license: licensePda(p.skill.address, p.buyer),
    systemProgram: SystemProgram.programId,
    ...events(),
  };
  const remaining = p.reference ? [solanaPayReference(p.reference)] : [];
  const args = { maxPrice: toBN(p.maxPrice) };
  const mint = p.skill.currency;
  if (mint === null) {
    return program.methods
      .purchaseLicense(args)
      .accountsStrict({ ...common, seller: p.skill.author, feeVault: feeVaultPda() })
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

/** A skill's vault for `mint`: the associated token account of its vault authority (where x402 payments land). */
export function skillVault(skill: PublicKey, mint: PublicKey, tokenProgram: PublicKey = TOKEN_PROGRAM_ID): PublicKey {
  return getAssociatedTokenAddressSync(mint, skillVaultAuthorityPda(skill), true, tokenProgram);
}

/**
 * Splits what a skill's vault holds in `mint`: the seller's share to the author's associated token account, the
 * fee to the treasury's, by the purchase rule. Anyone may send it.
 */
export function splitVault(program: MarketplaceProgram, p: { skill: PublicKey; author: PublicKey; treasury: PublicKey; mint: PublicKey; tokenProgram?: PublicKey }) {
  const tokenProgram = p.tokenProgram ?? TOKEN_PROGRAM_ID;
  const ata = (owner: PublicKey) => getAssociatedTokenAddressSync(p.mint, owner, true, tokenProgram);
  return program.methods.splitVault().accountsStrict({
    marketplace: marketplacePda(),
    skill: p.skill,
    vaultAuthority: skillVaultAuthorityPda(p.skill),
    mint: p.mint,
    vault: skillVault(p.skill, p.mint, tokenProgram),
    sellerToken: ata(p.author),
    treasuryToken: ata(p.treasury),
    tokenProgram,
    ...events(),
  });
}

/**
 * `purchaseLicense` with the skill, treasury and token program read from chain; `maxPrice`
 * defaults to the price the skill sells at now (a pending increase included once due).
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
    maxPrice: p.maxPrice ?? priceAt(skill, Math.floor(Date.now() / 1000)),
    reference: p.reference,
    tokenProgram,
  });
}

export interface RecordUsageParams {
  /** A registered meter authority (see addMeterAuthority). */
  meterAuthority: PublicKey;
  skill: PublicKey;
  buyer: PublicKey;
  units: Amount;
  /** The license's `usageUsed` when the batch was built: a retry of a landed batch then fails (StaleUsage). */
  expectedUsageUsed: Amount;
  /** Root of the batch of signed receipts settled (32 bytes). */
  receiptsRoot: Uint8Array;
  /** Receipts in the batch: 1 to `units`. */
  receiptCount: number;
}

/** A meter authority records a batch of `units` used under `buyer`'s license of `skill`. */
export function recordUsage(program: MarketplaceProgram, p: RecordUsageParams) {
  if (p.receiptsRoot.length !== 32) throw new Error("receipts root must be 32 bytes");
  return program.methods
    .recordUsage({
      units: toBN(p.units),
      expectedUsageUsed: toBN(p.expectedUsageUsed),
      receiptsRoot: [...p.receiptsRoot],
      receiptCount: p.receiptCount,
    })
    .accountsStrict({
      meterAuthority: p.meterAuthority,
      meter: meterPda(p.meterAuthority),
      marketplace: marketplacePda(),
      skill: p.skill,
      license: licensePda(p.skill, p.buyer),
      ...events(),
    });
}

/** The buyer closes a spent license (expired subscription or used-up units) and gets its rent back. */
export function closeLicense(program: MarketplaceProgram, p: { buyer: PublicKey; skill: PublicKey }) {
  return program.methods.closeLicense().accountsStrict({ buyer: p.buyer, license: licensePda(p.skill, p.buyer), ...events() });
}

// ----- reviews -----

export interface ReviewParams {
  reviewer: PublicKey;
  skill: PublicKey;
  rating: number;
  /** IPFS CID of the review's text. */
  textCid: string;
}

/** The accounts of a review: the reviewer's license to the skill proves they bought it. */
const reviewAccounts = (p: Pick<ReviewParams, "reviewer" | "skill">) => ({
  reviewer: p.reviewer,
  skill: p.skill,
  license: licensePda(p.skill, p.reviewer),
  review: reviewPda(p.skill, p.reviewer),
  ...events(),
});

/**
 * A holder of a used license reviews a skill (the text lives on IPFS); the rating weighs what
 * they paid for the license.
 */
export function postReview(program: MarketplaceProgram, p: ReviewParams) {
  return program.methods
    .postReview({ rating: p.rating, textCid: p.textCid })
    .accountsStrict({ ...reviewAccounts(p), systemProgram: SystemProgram.programId });
}

/** The reviewer changes the rating or text of their review, while their license is live. */
export function updateReview(program: MarketplaceProgram, p: ReviewParams) {
  return program.methods.updateReview({ rating: p.rating, textCid: p.textCid }).accountsStrict(reviewAccounts(p));
}

/** The reviewer deletes their review (live license or not) and gets its rent back. */
export function deleteReview(program: MarketplaceProgram, p: { reviewer: PublicKey; skill: PublicKey }) {
  return program.methods
    .deleteReview()
    .accountsStrict({ reviewer: p.reviewer, skill: p.skill, review: reviewPda(p.skill, p.reviewer), ...events() });
}
