// What the api reads from the chain, through the sdk only: skills, licenses, the marketplace, and
// whether a Solana Pay reference has a successful transaction.
import {
  Connection,
  Message,
  PublicKey,
  VersionedTransaction,
  type AccountInfo,
  type BlockhashWithExpiryBlockHeight,
  type Commitment,
  type TransactionInstruction,
} from "@solana/web3.js";
import {
  decodeOwned,
  fetchAccount,
  licenseKindName,
  licensePda,
  marketplacePda,
  variantOf,
  type LicenseAccount,
  type LicenseKindName,
  type SkillAccount,
} from "../../../sdk/src/index.js";
import { badRequest, notFound } from "../http/errors.js";

export const COMMITMENT: Commitment = "confirmed";

export function parsePubkey(value: string, what: string): PublicKey {
  try {
    const key = new PublicKey(value);
    if (key.toBase58() !== value) throw new Error("not canonical");
    return key;
  } catch {
    throw badRequest("invalid_pubkey", `${what} must be a base58 public key`);
  }
}

export function pricingKind(skill: SkillAccount): LicenseKindName {
  return variantOf(skill.pricing) as LicenseKindName;
}

/** The skill in a fetched account, or 404 when there is none (absent, another program's, not a Skill). */
function skillIn(id: PublicKey, info: AccountInfo<Buffer> | null | undefined): SkillAccount {
  let skill: SkillAccount | null;
  try {
    skill = decodeOwned("skill", info);
  } catch {
    skill = null; // the program's account, but not a Skill
  }
  if (!skill) throw notFound(`skill ${id.toBase58()}`);
  return skill;
}

export async function requireSkill(connection: Connection, id: PublicKey): Promise<SkillAccount> {
  return skillIn(id, await connection.getAccountInfo(id, COMMITMENT));
}

/**
 * What a purchase needs to know, in one read (one RPC round trip): the skill, the buyer's license
 * and the marketplace. Only accounts our program owns count: a look-alike account elsewhere is none.
 */
export async function purchaseState(connection: Connection, skillKey: PublicKey, buyer: PublicKey) {
  const licenseAddress = licensePda(skillKey, buyer);
  const [skillInfo, licenseInfo, marketplaceInfo] = await connection.getMultipleAccountsInfo([skillKey, licenseAddress, marketplacePda()], COMMITMENT);
  const skill = skillIn(skillKey, skillInfo);
  const marketplace = decodeOwned("marketplace", marketplaceInfo);
  if (!marketplace) throw new Error("the marketplace is not initialized on this cluster");
  const license = decodeOwned("license", licenseInfo);
  return { skill, marketplace, license: license ? licenseView(licenseAddress, license, Math.floor(Date.now() / 1000)) : null };
}

/**
 * A recent blockhash shared by concurrent requests: asked of the node at most once per `maxAgeMs`
 * (a blockhash lives about 150 slots, so one a second old costs a wallet a second of its minute).
 */
export class RecentBlockhash {
  private latest: { at: number; value: Promise<BlockhashWithExpiryBlockHeight> } | null = null;

  constructor(
    private readonly connection: Connection,
    private readonly maxAgeMs = 1_000,
  ) {}

  get(): Promise<BlockhashWithExpiryBlockHeight> {
    const now = Date.now();
    if (!this.latest || now - this.latest.at > this.maxAgeMs) {
      const value = this.connection.getLatestBlockhash(COMMITMENT);
      this.latest = { at: now, value };
      // A failed read is not shared with later requests.
      value.catch(() => {
        if (this.latest?.value === value) this.latest = null;
      });
    }
    return this.latest.value;
  }
}

export interface LicenseView {
  address: string;
  skill: string;
  buyer: string;
  kind: LicenseKindName;
  purchasedAt: number;
  /** Unix seconds; null unless a subscription. */
  expiresAt: number | null;
  /** Units bought and used; null unless usage-based. */
  unitsLimit: string | null;
  unitsUsed: string | null;
  unitsLeft: string | null;
  purchases: number;
  valid: boolean;
}

export function licenseView(address: PublicKey, license: LicenseAccount, nowSeconds: number): LicenseView {
  const kind = licenseKindName(license.kind);
  const limit = BigInt(license.usageLimit.toString());
  const used = BigInt(license.usageUsed.toString());
  const expiresAt = Number(license.expiresAt.toString());
  const valid = kind === "oneTime" || (kind === "subscription" ? expiresAt > nowSeconds : used < limit);
  return {
    address: address.toBase58(),
    skill: license.skill.toBase58(),
    buyer: license.buyer.toBase58(),
    kind,
    purchasedAt: Number(license.purchasedAt.toString()),
    expiresAt: kind === "subscription" ? expiresAt : null,
    unitsLimit: kind === "usage" ? limit.toString() : null,
    unitsUsed: kind === "usage" ? used.toString() : null,
    unitsLeft: kind === "usage" ? (limit - used).toString() : null,
    purchases: license.purchases,
    valid,
  };
}

export async function readLicense(connection: Connection, skill: PublicKey, buyer: PublicKey): Promise<LicenseView | null> {
  const address = licensePda(skill, buyer);
  const license = await fetchAccount(connection, "license", address, COMMITMENT);
  return license ? licenseView(address, license, Math.floor(Date.now() / 1000)) : null;
}

/**
 * An unsigned transaction for `feePayer` to sign, base64 as Solana Pay and wallets take it. The
 * message is compiled with Message.compile: Transaction's own compiler orders accounts with a
 * locale-aware string comparison that costs about a millisecond per transaction; this order
 * (payer, signers, writable, read-only) is just as valid.
 */
export function unsignedTransaction(feePayer: PublicKey, instructions: TransactionInstruction[], recentBlockhash: string): string {
  const message = Message.compile({ payerKey: feePayer, instructions, recentBlockhash });
  // A legacy message in a VersionedTransaction has the legacy wire format, empty signatures included.
  return Buffer.from(new VersionedTransaction(message).serialize()).toString("base64");
}

/** The message bytes of a serialized transaction (what its signatures sign): everything after the signatures. */
export function messageOf(transactionBase64: string): Buffer {
  const bytes = Buffer.from(transactionBase64, "base64");
  // The signature count is a compact-u16: 7 bits a byte, high bit set while more follow.
  let count = 0;
  let offset = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[offset++];
    if (byte === undefined || shift > 14) throw new Error("not a serialized transaction");
    count |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
  }
  if (bytes.length <= offset + 64 * count) throw new Error("not a serialized transaction");
  return bytes.subarray(offset + 64 * count);
}

/** Most transactions mentioning one reference that a status check will read. */
const MAX_REFERENCE_SIGNATURES = 1_000;

/**
 * Whether the transaction we built for a reference landed, and how. The reference is public (it
 * is in the link), so anyone can mention it in a transaction of their own: only a transaction
 * whose message is exactly the one we built counts, paid or failed; everything else is ignored.
 */
export async function findPayment(
  connection: Connection,
  reference: PublicKey,
  builtMessage: Buffer | null,
): Promise<{ paid: string | null; failed: string[] }> {
  if (!builtMessage) return { paid: null, failed: [] };
  const signatures: { signature: string; err: unknown }[] = [];
  let before: string | undefined;
  while (signatures.length < MAX_REFERENCE_SIGNATURES) {
    const page = await connection.getSignaturesForAddress(reference, { limit: 1_000, before }, "confirmed");
    signatures.push(...page);
    if (page.length < 1_000) break;
    before = page.at(-1)?.signature;
  }
  const failed: string[] = [];
  for (const s of signatures) {
    const tx = await connection.getTransaction(s.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    if (!tx || !Buffer.from(tx.transaction.message.serialize()).equals(builtMessage)) continue;
    if (s.err === null) return { paid: s.signature, failed };
    failed.push(s.signature);
  }
  return { paid: null, failed };
}
