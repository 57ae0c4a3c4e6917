// The marketplace as its own x402 facilitator (scheme "exact" on Solana) against its RPC node: what a call asks
// for, whether a payment is exactly that and can land, a claim so one payment is used once (across executors:
// Redis), and the settlement, the only place the money moves. Pay on success: the caller runs the skill between
// `verify` and `settle` and settles only after a run that succeeded; a payment never settled costs its payer
// nothing. The money goes to the skill's vault (sdk `skillVault`), which only the program's split_vault empties.
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey, TransactionMessage, VersionedTransaction, type Connection, type Keypair } from "@solana/web3.js";
import type { Redis } from "ioredis";
import {
  awaitLanding,
  checkExactPayment,
  decodeAccount,
  decodeX402Header,
  paymentRequirements,
  priceAt,
  PROGRAM_ID,
  X402_VERSION,
  X402PaymentError,
  type CheckedPayment,
  type PaymentRequirements,
} from "@skill-marketplace/sdk";

/** What a client sends in PAYMENT-SIGNATURE (x402 v2). */
export interface PaymentPayload {
  x402Version: number;
  accepted: PaymentRequirements;
  payload: { transaction: string };
  resource?: unknown;
  extensions?: unknown;
}

export interface VerifiedPayment {
  requirements: PaymentRequirements;
  checked: CheckedPayment;
  /** The payment, signed by the fee payer too: ready to send. */
  transaction: VersionedTransaction;
  claim: string;
  /** The payer's one payment in flight (its funds cannot back a second one until this one ends). */
  inFlight: string;
  /** The asset's token program (the vault's). */
  tokenProgram: PublicKey;
}

export interface FacilitatorOptions {
  connection: Connection;
  redis: Redis;
  /** Pays the network fee of every payment (and a vault's rent, once). */
  feePayer: Keypair;
  /** CAIP-2 id of the cluster, as the 402 names it. */
  network: string;
  /** How long a payment's claim is kept: longer than a blockhash lives (default 3 minutes). */
  claimMs?: number;

}

const REQUIREMENT_FIELDS = ["scheme", "network", "amount", "asset", "payTo", "maxTimeoutSeconds"] as const;

export class X402Facilitator {
  private readonly tokenPrograms = new Map<string, PublicKey>();

  constructor(private readonly o: FacilitatorOptions) {}

  get feePayer(): PublicKey {
    return this.o.feePayer.publicKey;
  }

  /** The payment one call of `skill` asks for now; null when the skill is not paid per call (or does not exist). */
  async requirements(skill: PublicKey): Promise<PaymentRequirements | null> {
    const info = await this.o.connection.getAccountInfo(skill, "confirmed");
    if (!info || !info.owner.equals(PROGRAM_ID)) return null;
    let account;
    try {
      account = decodeAccount("skill", info.data);
    } catch {
      return null;
    }
    if (!account.active || account.suspended) return null;
    // The price in force now: a pending increase counts once due, as for purchases.
    const price = priceAt(account, Math.floor(Date.now() / 1000));
    return paymentRequirements({ address: skill, pricing: account.pricing, price, currency: account.currency }, { network: this.o.network, feePayer: this.feePayer });
  }

  /**
   * Whether `header` pays exactly `requirements` and can land: the transaction's shape (sdk checkExactPayment),
   * a blockhash still valid, a simulation with both signatures; then claims it, so the same payment (same message)
   * is refused from now on, here and on every executor sharing this Redis. Throws X402PaymentError.
   */
  async verify(header: string, requirements: PaymentRequirements): Promise<VerifiedPayment> {
    const payment = decodeX402Header<PaymentPayload>(header);
    if (payment?.x402Version !== X402_VERSION) throw new X402PaymentError("invalid_x402_version", `only x402 version ${X402_VERSION} is accepted`);
    const accepted = payment.accepted ?? ({} as Partial<PaymentRequirements>);
    for (const field of REQUIREMENT_FIELDS) {
      if (accepted[field] !== requirements[field]) {
        throw new X402PaymentError("invalid_payment_requirements", `the payment accepted ${field} ${JSON.stringify(accepted[field])}; this call asks for ${JSON.stringify(requirements[field])}`);
      }
    }
    if (accepted.extra?.feePayer !== requirements.extra.feePayer) throw new X402PaymentError("invalid_payment_requirements", "the payment names another fee payer");
    let transaction: VersionedTransaction;
    try {
      transaction = VersionedTransaction.deserialize(Buffer.from(String(payment.payload?.transaction ?? ""), "base64"));
    } catch {
      throw new X402PaymentError("invalid_exact_svm_payload_transaction", "the payment's transaction cannot be read");
    }
    const mint = new PublicKey(requirements.asset);
    const tokenProgram = await this.tokenProgramOf(mint);
    const checked = checkExactPayment(transaction, requirements, { tokenProgram });
    const fresh = await this.o.connection.isBlockhashValid(transaction.message.recentBlockhash, { commitment: "confirmed" });
    if (!fresh.value) throw new X402PaymentError("invalid_exact_svm_payload_transaction_blockhash_expired", "the payment's blockhash has expired: pay again");

    const claim = `x402:payment:${checked.messageHash}`;
    const claimMs = this.o.claimMs ?? 180_000;
    const claimed = await this.o.redis.set(claim, "verified", "PX", claimMs, "NX");
    if (claimed !== "OK") throw new X402PaymentError("duplicate_settlement", "this payment was already used");
    // One payment in flight per payer: payments simulated one by one against the same balance could otherwise
    // all pass, run, and all but one fail to land.
    const inFlight = `x402:payer:${checked.payer.toBase58()}`;
    if ((await this.o.redis.set(inFlight, checked.messageHash, "PX", claimMs, "NX")) !== "OK") {
      await this.o.redis.del(claim);
      throw new X402PaymentError("payment_in_flight", "another payment of this payer is still running: wait for its answer");
    }
    try {
      // The payer can pay before the fee payer spends anything (the vault's rent, the simulation).
      const source = await this.o.connection.getTokenAccountBalance(checked.source, "confirmed").catch(() => null);
      if (!source || BigInt(source.value.amount) < checked.amount) {
        throw new X402PaymentError("insufficient_funds", `the payer's token account ${checked.source.toBase58()} does not hold ${checked.amount} of ${requirements.asset}`);
      }
      await this.ensureVault(new PublicKey(requirements.payTo), mint, tokenProgram);
      transaction.sign([this.o.feePayer]);
      const simulated = await this.o.connection.simulateTransaction(transaction, { sigVerify: true, commitment: "confirmed" });
      if (simulated.value.err) {
        const log = simulated.value.logs?.find((l) => /Error|insufficient/i.test(l)) ?? JSON.stringify(simulated.value.err);
        throw new X402PaymentError("transaction_simulation_failed", `the payment would fail: ${log}`);
      }
    } catch (error) {
      // Nothing ran and nothing moved: the payer may try again with a payment that can land.
      await this.o.redis.del(claim, inFlight);
      throw error;
    }
    return { requirements, checked, transaction, claim, inFlight, tokenProgram };
  }

  /**
   * Sends a verified payment and follows it until the cluster confirms it or its blockhash expires unseen: its
   * signature once it landed. Called only after a successful run. A payment that landed with an error, or expired,
   * moved nothing; one whose fate the RPC node would not tell stays `sent:<signature>` for a person to look at.
   */
  async settle(payment: VerifiedPayment): Promise<string> {
    // Only a payment still verified is sent, once (an abandoned or settling one is not).
    const was = await this.o.redis.set(payment.claim, "settling", "KEEPTTL", "XX", "GET");
    if (was !== "verified") throw new X402PaymentError("duplicate_settlement", `this payment is ${was ?? "unknown"}, not verified`);
    try {
      const raw = payment.transaction.serialize();
      let signature: string;
      try {
        // With preflight: a payment that could no longer land is refused before it costs the fee payer anything.
        signature = await this.o.connection.sendRawTransaction(raw, { skipPreflight: false, preflightCommitment: "confirmed" });
      } catch (error) {
        await this.o.redis.set(payment.claim, "failed", "KEEPTTL");
        throw new X402PaymentError("transaction_failed", `the payment could not be sent: ${(error as Error).message}`);
      }
      await this.o.redis.set(payment.claim, `sent:${signature}`, "KEEPTTL");
      let landing;
      try {
        landing = await awaitLanding(this.o.connection, signature, payment.transaction.message.recentBlockhash, { raw, maxMs: this.o.claimMs ?? 180_000 });
      } catch (error) {
        throw new X402PaymentError("transaction_unknown", `the payment ${signature} was sent but the RPC node does not say whether it landed: ${(error as Error).message}`);
      }
      if (!landing.landed || landing.err) {
        await this.o.redis.set(payment.claim, "failed", "KEEPTTL");
        throw new X402PaymentError(
          "transaction_failed",
          landing.landed ? `the payment ${signature} failed on chain: ${JSON.stringify(landing.err)}` : `the payment ${signature} expired before it landed`,
        );
      }
      await this.o.redis.set(payment.claim, `settled:${signature}`, "KEEPTTL");
      return signature;
    } finally {
      await this.o.redis.del(payment.inFlight);
    }
  }

  /** A verified payment whose run failed: never settled, and never usable again. */
  async abandon(payment: VerifiedPayment): Promise<void> {
    await this.o.redis.set(payment.claim, "abandoned", "KEEPTTL", "XX");
    await this.o.redis.del(payment.inFlight);
  }

  private async tokenProgramOf(mint: PublicKey): Promise<PublicKey> {
    const known = this.tokenPrograms.get(mint.toBase58());
    if (known) return known;
    const info = await this.o.connection.getAccountInfo(mint, "confirmed");
    if (!info) throw new X402PaymentError("invalid_exact_svm_payload_mint_mismatch", `the asset ${mint.toBase58()} does not exist`);
    this.tokenPrograms.set(mint.toBase58(), info.owner);
    return info.owner;
  }

  /** The vault (payTo's associated token account) exists before the first payment lands in it: the fee payer creates it. */
  private async ensureVault(payTo: PublicKey, mint: PublicKey, tokenProgram: PublicKey): Promise<void> {
    const address = getAssociatedTokenAddressSync(mint, payTo, true, tokenProgram);
    if (await this.o.connection.getAccountInfo(address, "confirmed")) return;
    const { blockhash } = await this.o.connection.getLatestBlockhash("confirmed");
    const create = createAssociatedTokenAccountIdempotentInstruction(this.feePayer, address, payTo, mint, tokenProgram);
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: this.feePayer, recentBlockhash: blockhash, instructions: [create] }).compileToV0Message());
    tx.sign([this.o.feePayer]);
    const raw = tx.serialize();
    const signature = await this.o.connection.sendRawTransaction(raw);
    const landing = await awaitLanding(this.o.connection, signature, blockhash, { raw });
    // Another executor may have created it at the same moment (the instruction is idempotent): it exists either way.
    if (!landing.landed || landing.err) {
      if (!(await this.o.connection.getAccountInfo(address, "confirmed"))) throw new X402PaymentError("transaction_failed", `the skill's vault ${address.toBase58()} could not be created`);
    }
  }
}
