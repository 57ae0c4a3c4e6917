// Solana Pay purchases. A payment link names a fresh reference key and carries a token only its
// holder has (linkToken.ts); the wallet's POST binds the reference to one wallet and one built
// transaction, and later POSTs get that same transaction back while its blockhash lives, so one
// reference can land at most once: never two licenses or two charges. An expired, unpaid
// transaction gives a clear 410 with a new link, bound to the same wallet, instead of a stuck
// payment. Links are made by POST, live PAYMENT_LINK_TTL_SECONDS unused, and are swept after.
//
// No RPC call happens while the database holds anything for a request: the chain is read first,
// then one conditional statement records the outcome (compare and set), and a request that lost
// the race reads what the winner recorded.
//
// A link is paid when the program's purchase event carried its reference for that skill and that
// buyer, as the indexer stored it: whatever message the wallet signed (wallets set a fresh
// blockhash, add compute-budget or guard instructions) and however many other transactions name
// the public reference. Until the indexer has it, the buyer's license on chain tells: more
// purchases than when the transaction was built means one landed, so the link reads paid (not
// expired) and is never offered a replacement that would charge the buyer twice.
import {
  marketplaceProgram,
  newReference,
  priceAt,
  pricingKindName,
  purchaseLicense,
  transactionRequestLink,
  unsignedTransaction,
  type LicenseKindName,
  type SkillAccount,
} from "@skill-marketplace/sdk";
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync, getMint } from "@solana/spl-token";
import { Connection, PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import QRCode from "qrcode";
import { COMMITMENT, keyOf, licenseState, RecentBlockhash, requireSkill } from "../../adapters/chain.js";
import { notFound, refused } from "../../errors.js";
import type { Licenses, LicenseView } from "./licenses.js";
import { LinkTokens } from "./linkToken.js";

export type PaymentStatus = "open" | "paid" | "expired" | "failed";

export interface PaymentRequest {
  reference: string;
  skill: string;
  kind: LicenseKindName;
  account: string | null;
  transaction: string | null;
  lastValidBlockHeight: bigint | null;
  purchasesBefore: number | null;
  status: PaymentStatus;
  replacedBy: string | null;
  createdAt: Date;
}

/** What binding a request to a wallet records. */
export type Binding = { account: string; transaction: string; lastValidBlockHeight: bigint; purchasesBefore: number };

/** Data access for payment requests: reads, and changes that each apply only if the row is still as judged. */
export interface PaymentStore {
  create(row: Pick<PaymentRequest, "reference" | "skill" | "kind"> & { account?: string | null }): Promise<PaymentRequest>;
  /** The signature of the indexed purchase that carried `reference` for `skill` and `buyer`, if any. */
  purchaseByReference(reference: string, skill: string, buyer: string): Promise<string | null>;
  get(reference: string): Promise<PaymentRequest | null>;
  /** Records `replacement` for `reference` unless one is already recorded; returns the one that stands. */
  replace(reference: string, replacement: string): Promise<string>;
  /** Binds an open, transaction-less request (unbound, or bound to `binding.account`); false when another request did first. */
  bind(reference: string, binding: Binding): Promise<boolean>;
  /** Marks an open request holding `transaction` paid or expired; false when it moved on already. */
  settle(reference: string, transaction: string, status: "paid" | "expired"): Promise<boolean>;
  /** Deletes never-used requests made before `unusedBefore` and unpaid ones last changed before `unpaidBefore`. */
  sweep(unusedBefore: Date, unpaidBefore: Date): Promise<number>;
}

/** The kind of license a skill sells. */
const pricingKind = (skill: SkillAccount): LicenseKindName => pricingKindName(skill.pricing);

export interface PaymentLink {
  reference: string;
  skill: string;
  kind: LicenseKindName;
  /** `solana:` transaction-request URL for wallets. */
  url: string;
  /** The HTTPS endpoint the wallet calls (GET label, POST account). */
  transactionRequestUrl: string;
  /** The capability that URL ends with. */
  token: string;
  qrSvg: string;
}

/** Whether a bound link's purchase landed: `signature` is null while only the license shows it. */
type Payment = { paid: true; signature: string | null } | { paid: false };

type Built = { transaction: string; message: string; lastValidBlockHeight: string };

const KIND_LABEL: Record<LicenseKindName, string> = {
  oneTime: "a one-time license",
  subscription: "a subscription",
  usage: "usage units",
};

export interface PaymentSettings {
  publicUrl: string;
  /** Keys link tokens (linkToken.ts). */
  linkSecret: string;
  /** How long a link stays usable before a wallet binds it. */
  linkTtlSeconds: number;
}

/** An unpaid request whose transaction expired is kept this long (it answers "expired" with its replacement). */
const UNPAID_KEPT_MS = 24 * 3_600_000;

export class Payments {
  /** Built once: constructing Anchor's client parses the whole IDL. */
  private readonly program;
  private readonly blockhash: RecentBlockhash;
  private readonly tokens: LinkTokens;

  constructor(
    private readonly connection: Connection,
    private readonly store: PaymentStore,
    private readonly licenses: Licenses,
    private readonly settings: PaymentSettings,
  ) {
    this.program = marketplaceProgram({ connection });
    this.blockhash = new RecentBlockhash(connection);
    this.tokens = new LinkTokens(settings.linkSecret);
  }

  /** A new link to buy `skillId`; `account` binds it to that wallet from the start. */
  async createLink(skillId: string, kind?: LicenseKindName, account?: string): Promise<PaymentLink> {
    const skillKey = keyOf(skillId, "skill id");
    const skill = await requireSkill(this.connection, skillKey);
    this.sellable(skill, kind);
    const reference = newReference().toBase58();
    await this.store.create({ reference, skill: skillId, kind: pricingKind(skill), account: account ?? null });
    return this.link(reference, skillId, pricingKind(skill));
  }

  private async link(reference: string, skill: string, kind: LicenseKindName): Promise<PaymentLink> {
    const token = this.tokens.issue(reference);
    const transactionRequestUrl = `${this.settings.publicUrl}/api/v1/pay/${token}`;
    const url = transactionRequestLink(transactionRequestUrl);
    const qrSvg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return { reference, skill, kind, url, transactionRequestUrl, token, qrSvg };
  }

  /** The reference a link token names; not_found for a token this deployment did not issue. */
  referenceOf(token: string): string {
    const reference = this.tokens.open(token);
    if (!reference) throw notFound("payment link");
    return reference;
  }

  private sellable(skill: SkillAccount, kind?: LicenseKindName): void {
    if (skill.suspended) throw refused("skill_suspended", `skill ${skill.slug} is suspended by the marketplace and cannot be bought`);
    if (!skill.active) throw refused("skill_inactive", `skill ${skill.slug} is delisted and cannot be bought`);
    if (kind && kind !== pricingKind(skill)) {
      throw refused("kind_mismatch", `skill ${skill.slug} is sold as ${pricingKind(skill)}, not ${kind}`);
    }
  }

  /** The Solana Pay transaction for `account`; the same one again while its blockhash lives. */
  async transactionFor(referenceValue: string, accountValue: string): Promise<Built> {
    const reference = keyOf(referenceValue, "reference");
    const account = keyOf(accountValue, "account");
    const row = await this.store.get(referenceValue);
    if (!row) throw notFound(`payment ${referenceValue}`);
    if (row.status === "paid") {
      const payment = await this.payment(row);
      throw refused("already_paid", "this payment link has already been paid", { reference: referenceValue, signature: payment.paid ? payment.signature : null });
    }
    // A bound link, and whatever replaces it, serves only its wallet.
    if (row.account && row.account !== accountValue) {
      throw refused("bound_to_other_wallet", "this payment link was already taken by another wallet; request a new link");
    }
    if (row.status === "expired" || row.status === "failed") throw await this.expired(row);
    if (!row.transaction) return this.bind(row, reference, account);

    // Height first, then the chain: once the height is past the transaction's last valid block,
    // the license read after it at the same commitment includes anything that transaction did.
    const height = BigInt(await this.connection.getBlockHeight(COMMITMENT));
    const payment = await this.payment(row);
    if (payment.paid) {
      await this.store.settle(referenceValue, row.transaction, "paid");
      throw refused("already_paid", "this payment link has already been paid", { reference: referenceValue, signature: payment.signature });
    }
    if (row.lastValidBlockHeight !== null && height <= row.lastValidBlockHeight) {
      return { transaction: row.transaction, message: await this.message(row), lastValidBlockHeight: row.lastValidBlockHeight.toString() };
    }
    await this.store.settle(referenceValue, row.transaction, "expired");
    // Whatever moved it on (this request or another), the fresh row tells what stands.
    const now = await this.store.get(referenceValue);
    if (now?.status === "paid") throw refused("already_paid", "this payment link has already been paid", { reference: referenceValue, signature: null });
    throw await this.expired(now ?? row);
  }

  /** Builds the purchase for `account` and binds the link to it, unless another request did first. */
  private async bind(row: PaymentRequest, reference: PublicKey, account: PublicKey): Promise<Built> {
    if (row.createdAt.getTime() + this.settings.linkTtlSeconds * 1000 < Date.now()) {
      throw refused("link_expired", "this payment link expired before a wallet used it; request a new link");
    }
    const skillKey = new PublicKey(row.skill);
    const [{ skill, license, marketplace }, latest] = await Promise.all([licenseState(this.connection, skillKey, account), this.blockhash.get()]);
    this.sellable(skill, row.kind);
    if (skill.author.equals(account)) throw refused("own_skill", "a seller cannot buy their own skill");
    if (license && row.kind === "oneTime") throw refused("already_licensed", `this wallet already holds a one-time license to ${skill.slug}`);
    const instructions = await this.purchaseInstructions(skillKey, skill, account, reference, marketplace.treasury);
    const { blockhash, lastValidBlockHeight } = latest;
    const transaction = unsignedTransaction(account, instructions, blockhash);
    const binding = { account: account.toBase58(), transaction, lastValidBlockHeight: BigInt(lastValidBlockHeight), purchasesBefore: license?.account.purchases ?? 0 };
    if (await this.store.bind(row.reference, binding)) {
      return { transaction, message: await this.message({ ...row, transaction }, skill, instructions.length), lastValidBlockHeight: String(lastValidBlockHeight) };
    }
    // Another request bound it meanwhile: its transaction is the one (for this wallet), or the
    // link is another wallet's.
    return this.transactionFor(row.reference, account.toBase58());
  }

  /** The 410 for an expired link, with its one replacement, bound to the same wallet (made on first need, then reused). */
  private async expired(row: PaymentRequest) {
    let replacement = row.replacedBy ? await this.store.get(row.replacedBy) : null;
    if (!replacement && !row.replacedBy) {
      const created = await this.createLink(row.skill, row.kind, row.account ?? undefined);
      const standing = await this.store.replace(row.reference, created.reference);
      replacement = await this.store.get(standing);
    }
    if (!replacement) {
      // Its replacement went unused past its lifetime and was swept.
      return refused("link_expired", "this payment's transaction expired unpaid and its replacement was never used; request a new link");
    }
    const next = await this.link(replacement.reference, replacement.skill, replacement.kind);
    return refused("payment_expired", "this payment's transaction expired unpaid; use the new link", { newLink: next });
  }

  /** Deletes links nobody used within their lifetime and unpaid requests expired a day ago; returns how many. */
  sweep(now = new Date()): Promise<number> {
    return this.store.sweep(new Date(now.getTime() - this.settings.linkTtlSeconds * 1000), new Date(now.getTime() - UNPAID_KEPT_MS));
  }

  private async purchaseInstructions(
    skillKey: PublicKey,
    skill: SkillAccount,
    buyer: PublicKey,
    reference: PublicKey,
    treasury: PublicKey,
  ): Promise<TransactionInstruction[]> {
    const program = this.program;
    // The price the buyer was shown is the most they pay (max_price), even if the seller raises it.
    const maxPrice = priceAt(skill, Math.floor(Date.now() / 1000));
    const p = { buyer, skill: { address: skillKey, author: skill.author, currency: skill.currency }, treasury, maxPrice, reference };
    if (!skill.currency) return [await purchaseLicense(program, p).instruction()];
    // The seller must be able to receive: a missing seller token account is refused, not created
    // at the buyer's expense (a seller could close it after each sale and pocket the rent). The
    // treasury's is created (idempotent) when missing, and the message says so.
    const mint = skill.currency;
    const mintAccount = await this.connection.getAccountInfo(mint, COMMITMENT);
    if (!mintAccount) throw refused("mint_missing", `the skill's mint ${mint.toBase58()} does not exist`);
    const sellerAta = getAssociatedTokenAddressSync(mint, skill.author, true, mintAccount.owner);
    const treasuryAta = getAssociatedTokenAddressSync(mint, treasury, true, mintAccount.owner);
    const [sellerAccount, treasuryAccount] = await this.connection.getMultipleAccountsInfo([sellerAta, treasuryAta], COMMITMENT);
    if (!sellerAccount) {
      throw refused("seller_token_account_missing", `the seller has no token account for ${mint.toBase58()} yet and cannot be paid in it`);
    }
    const create = treasuryAccount
      ? []
      : [createAssociatedTokenAccountIdempotentInstruction(buyer, treasuryAta, treasury, mint, mintAccount.owner)];
    const purchase = await purchaseLicense(program, { ...p, tokenProgram: mintAccount.owner }).instruction();
    return [...create, purchase];
  }

  /** What the wallet shows; `instructionCount` is the built transaction's, when the caller has it at hand. */
  private async message(row: PaymentRequest, known?: SkillAccount, instructionCount?: number): Promise<string> {
    const skill = known ?? (await requireSkill(this.connection, new PublicKey(row.skill)));
    const base = `Buy ${KIND_LABEL[row.kind]} of ${skill.slug} for ${await this.amount(skill)}`;
    const count = instructionCount ?? (row.transaction ? Transaction.from(Buffer.from(row.transaction, "base64")).instructions.length : 1);
    const accounts = count - 1;
    return accounts > 0 ? `${base}, plus rent for the marketplace's token account` : base;
  }

  /** The price as a person reads it: "1.5 USDC-mint…", "0.25 SOL". */
  async amount(skill: SkillAccount): Promise<string> {
    const price = priceAt(skill, Math.floor(Date.now() / 1000));
    if (!skill.currency) return `${formatUnits(price, 9)} SOL`;
    const info = await this.connection.getAccountInfo(skill.currency, COMMITMENT);
    const mint = await getMint(this.connection, skill.currency, COMMITMENT, info?.owner);
    return `${formatUnits(price, mint.decimals)} of token ${skill.currency.toBase58()}`;
  }

  async status(referenceValue: string): Promise<{ reference: string; status: "pending" | "confirmed" | "expired"; signature: string | null; license: LicenseView | null }> {
    keyOf(referenceValue, "reference");
    const row = await this.store.get(referenceValue);
    if (!row) throw notFound(`payment ${referenceValue}`);
    // Height before the chain (as transactionFor): a transaction past its last valid block cannot land after.
    const height = row.status === "open" && row.transaction && row.lastValidBlockHeight !== null ? BigInt(await this.connection.getBlockHeight(COMMITMENT)) : null;
    const payment = await this.payment(row);
    if (payment.paid) {
      if (row.status !== "paid" && row.transaction) await this.store.settle(referenceValue, row.transaction, "paid");
      const license = row.account ? await this.licenses.read(new PublicKey(row.skill), new PublicKey(row.account)) : null;
      return { reference: referenceValue, status: "confirmed", signature: payment.signature, license };
    }
    // Unpaid and past use: a link nobody took within its lifetime, or a transaction whose blockhash expired.
    const unused = row.status === "open" && !row.transaction && row.createdAt.getTime() + this.settings.linkTtlSeconds * 1000 < Date.now();
    const blockhashExpired = height !== null && height > row.lastValidBlockHeight!;
    if (blockhashExpired) await this.store.settle(referenceValue, row.transaction!, "expired");
    const expired = unused || blockhashExpired || row.status === "expired" || row.status === "failed";
    return { reference: referenceValue, status: expired ? "expired" : "pending", signature: null, license: null };
  }

  /**
   * Whether `row`'s purchase landed: the indexed purchase event carrying its reference for its
   * skill and bound wallet, else (the indexer behind) more purchases on the wallet's license than
   * when its transaction was built. An unbound link was paid by nobody.
   */
  private async payment(row: PaymentRequest): Promise<Payment> {
    if (!row.account) return { paid: false };
    const signature = await this.store.purchaseByReference(row.reference, row.skill, row.account);
    if (signature) return { paid: true, signature };
    if (row.purchasesBefore === null) return { paid: false };
    const { license } = await licenseState(this.connection, new PublicKey(row.skill), new PublicKey(row.account));
    return license && license.account.purchases > row.purchasesBefore ? { paid: true, signature: null } : { paid: false };
  }

  label(): { label: string; icon: string } {
    return { label: "Skill Marketplace", icon: `${this.settings.publicUrl}/icon.svg` };
  }
}

export function formatUnits(amount: bigint, decimals: number): string {
  const base = 10n ** BigInt(decimals);
  const whole = amount / base;
  const fraction = (amount % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole.toString();
}
