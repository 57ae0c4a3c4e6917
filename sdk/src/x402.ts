// Pay-per-call with x402 (protocol v2, scheme "exact" on Solana): the one home of what a call costs, what the
// marketplace asks for in a 402, and what a payment transaction may contain before anything runs. The money goes to
// the skill's vault (a token account of a program PDA: only `split_vault` moves it, to the seller and the
// treasury), never to a key the operator holds. Pure: the caller reads the chain and the clock.
import { sha256 } from "@noble/hashes/sha256";
import { Buffer } from "buffer";
import { ComputeBudgetProgram, PublicKey, type VersionedTransaction } from "@solana/web3.js";
import { getAssociatedTokenAddressSync, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import type { Pricing } from "./accounts.js";
import { nobleEd25519, type Ed25519 } from "./ed25519.js";
import { skillVaultAuthorityPda } from "./pda.js";
import type { SkillEndpoint } from "./skillApi.js";

export const X402_VERSION = 2;
/** The HTTP headers of x402 v2, each a base64 JSON document. */
export const X402_HEADERS = { required: "PAYMENT-REQUIRED", signature: "PAYMENT-SIGNATURE", response: "PAYMENT-RESPONSE" } as const;
/** CAIP-2 ids of the public clusters, as x402 clients know them. */
export const X402_NETWORKS = {
  mainnet: "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
  devnet: "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
  testnet: "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z",
} as const;
/** How long a payment asked for stays good (the client's blockhash lives about a minute anyway). */
export const X402_MAX_TIMEOUT_SECONDS = 60;
/**
 * The most a payment may bid per compute unit (micro-lamports), and the most units it may ask for: the marketplace
 * pays the fee, so at most 40,000 × 100,000 / 10⁶ = 4,000 lamports of priority per payment (the x402 client asks
 * for 20,000 units at 1 micro-lamport; a transfer and a memo need far less).
 */
export const X402_MAX_COMPUTE_UNIT_PRICE = 100_000n;
export const X402_MAX_COMPUTE_UNITS = 40_000;
export const MEMO_PROGRAM_ID = new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

/**
 * The CAIP-2 id x402 clients know a cluster by: its genesis hash's first 32 characters. Clients know only the three
 * public clusters, so any other (a local node) answers as devnet.
 */
export function x402Network(genesisHash: string): string {
  const id = `solana:${genesisHash.slice(0, 32)}`;
  return (Object.values(X402_NETWORKS) as string[]).includes(id) ? id : X402_NETWORKS.devnet;
}

/**
 * What one call of a usage-priced skill costs: its price per purchase over the units a purchase buys, rounded up
 * (a call never costs less than a unit bought in bulk). Null for other pricings: a subscription or one-time
 * license is bought, not paid per call.
 */
export function pricePerCall(skill: { pricing: Pricing; price: bigint | string | number }): bigint | null {
  const usage = skill.pricing.usage;
  if (!usage) return null;
  const units = BigInt(usage.unitsPerPurchase.toString());
  if (units <= 0n) return null;
  const price = BigInt(skill.price.toString());
  return (price + units - 1n) / units;
}

export interface PaymentRequirements {
  scheme: "exact";
  network: string;
  /** Base units of `asset`, as a decimal string. */
  amount: string;
  /** The mint paid in. */
  asset: string;
  /** The skill's vault authority: payments go to its associated token account for `asset`. */
  payTo: string;
  maxTimeoutSeconds: number;
  extra: { feePayer: string };
}

/**
 * The payment one call of `skill` asks for; null when the skill cannot be paid per call (not usage-priced, or
 * priced in SOL: the exact scheme pays in SPL tokens).
 */
export function paymentRequirements(
  skill: { address: PublicKey; pricing: Pricing; price: bigint | string | number; currency: PublicKey | null },
  o: { network: string; feePayer: PublicKey },
): PaymentRequirements | null {
  const amount = pricePerCall(skill);
  if (amount === null || amount === 0n || skill.currency === null) return null;
  return {
    scheme: "exact",
    network: o.network,
    amount: amount.toString(),
    asset: skill.currency.toBase58(),
    payTo: skillVaultAuthorityPda(skill.address).toBase58(),
    maxTimeoutSeconds: X402_MAX_TIMEOUT_SECONDS,
    extra: { feePayer: o.feePayer.toBase58() },
  };
}

export function encodeX402Header(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64");
}

export function decodeX402Header<T>(text: string): T {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new X402PaymentError("invalid_payload", "the header is not base64");
  try {
    return JSON.parse(Buffer.from(text, "base64").toString("utf8")) as T;
  } catch {
    throw new X402PaymentError("invalid_payload", "the header is not base64 JSON");
  }
}

/** Why a payment is refused, in x402's words (`invalid_…`) and ours. */
export class X402PaymentError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CheckedPayment {
  /** The wallet whose tokens pay (the transfer's authority and signer). */
  payer: PublicKey;
  /** The token account the tokens leave. */
  source: PublicKey;
  amount: bigint;
  /** The payment's identity: sha256 of the message, base64 (what the fee payer's signature slot cannot change). */
  messageHash: string;
}

const fail = (reason: string, message: string): never => {
  throw new X402PaymentError(reason, message);
};

/**
 * Whether `tx` is exactly the payment `req` asks for, and nothing else: compute-unit limit and price (capped), one
 * `TransferChecked` of exactly `amount` of `asset` into the associated token account of `payTo`, signed by a
 * payer who is not the fee payer, then at most a memo. The fee payer (ours) must be the first account and appear
 * in no instruction. No address lookup tables. The payer's signature must verify. The blockhash's freshness and
 * the balances are the caller's to check (they need the chain).
 */
export function checkExactPayment(tx: VersionedTransaction, req: PaymentRequirements, o: { tokenProgram: PublicKey; ed25519?: Ed25519 }): CheckedPayment {
  const message = tx.message;
  if (message.addressTableLookups.length > 0) fail("invalid_exact_svm_payload_transaction", "address lookup tables are not accepted");
  const keys = message.staticAccountKeys;
  const feePayer = new PublicKey(req.extra.feePayer);
  if (!keys[0]?.equals(feePayer)) fail("invalid_exact_svm_payload_transaction_fee_payer", `the fee payer must be ${feePayer.toBase58()}`);
  if (message.header.numRequiredSignatures !== 2) fail("invalid_exact_svm_payload_transaction", "a payment has two signers: the fee payer and the payer");
  const ixs = message.compiledInstructions;
  // Every index names an account of the message (a crafted one could point past them).
  if (ixs.some((ix) => ix.programIdIndex >= keys.length || ix.accountKeyIndexes.some((i) => i >= keys.length))) {
    fail("invalid_exact_svm_payload_transaction", "an instruction names an account the message does not hold");
  }
  if (ixs.length < 3 || ixs.length > 4) fail("invalid_exact_svm_payload_transaction_instructions_length", `a payment has 3 or 4 instructions, not ${ixs.length}`);
  const programOf = (i: number) => keys[ixs[i]!.programIdIndex]!;
  const data = (i: number) => Buffer.from(ixs[i]!.data);

  if (!programOf(0).equals(ComputeBudgetProgram.programId) || data(0)[0] !== 2 || data(0).length !== 5) {
    fail("invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction", "the first instruction must set the compute unit limit");
  }
  if (data(0).readUInt32LE(1) > X402_MAX_COMPUTE_UNITS) fail("invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction", `at most ${X402_MAX_COMPUTE_UNITS} compute units`);
  if (!programOf(1).equals(ComputeBudgetProgram.programId) || data(1)[0] !== 3 || data(1).length !== 9) {
    fail("invalid_exact_svm_payload_transaction_instructions_compute_price_instruction", "the second instruction must set the compute unit price");
  }
  if (data(1).readBigUInt64LE(1) > X402_MAX_COMPUTE_UNIT_PRICE) {
    fail("invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high", `at most ${X402_MAX_COMPUTE_UNIT_PRICE} micro-lamports per compute unit`);
  }

  const transfer = ixs[2]!;
  const tokenProgram = programOf(2);
  if (!(tokenProgram.equals(TOKEN_PROGRAM_ID) || tokenProgram.equals(TOKEN_2022_PROGRAM_ID)) || !tokenProgram.equals(o.tokenProgram)) {
    fail("invalid_exact_svm_payload_no_transfer_instruction", "the third instruction must be a TransferChecked of the asset's token program");
  }
  if (data(2)[0] !== 12 || data(2).length !== 10 || transfer.accountKeyIndexes.length !== 4) {
    fail("invalid_exact_svm_payload_no_transfer_instruction", "the third instruction must be a TransferChecked (source, mint, destination, authority)");
  }
  const [sourceIndex, mintIndex, destinationIndex, authorityIndex] = transfer.accountKeyIndexes as [number, number, number, number];
  const mint = keys[mintIndex]!;
  const destination = keys[destinationIndex]!;
  const payer = keys[authorityIndex]!;
  if (mint.toBase58() !== req.asset) fail("invalid_exact_svm_payload_mint_mismatch", `the payment must be in ${req.asset}`);
  const vault = getAssociatedTokenAddressSync(mint, new PublicKey(req.payTo), true, tokenProgram);
  if (!destination.equals(vault)) fail("invalid_exact_svm_payload_recipient_mismatch", `the payment must go to ${vault.toBase58()}, the skill's vault`);
  const amount = data(2).readBigUInt64LE(1);
  if (amount !== BigInt(req.amount)) fail("invalid_exact_svm_payload_amount_mismatch", `the payment must be exactly ${req.amount}, not ${amount}`);
  if (payer.equals(feePayer)) fail("invalid_exact_svm_payload_transaction_fee_payer_transferring_funds", "the fee payer cannot be the one paying");
  if (authorityIndex >= message.header.numRequiredSignatures) fail("invalid_exact_svm_payload_transaction", "the payer must sign the transfer");

  if (ixs.length === 4 && (!programOf(3).equals(MEMO_PROGRAM_ID) || ixs[3]!.accountKeyIndexes.length !== 0 || ixs[3]!.data.length > 256)) {
    fail("invalid_exact_svm_payload_unknown_fourth_instruction", "only a memo (no accounts, at most 256 bytes) may follow the transfer");
  }
  // The fee payer lends its signature to nothing but the fee.
  for (const ix of ixs) {
    if (ix.accountKeyIndexes.includes(0)) fail("invalid_exact_svm_payload_transaction_fee_payer_included_in_instruction_accounts", "the fee payer may appear in no instruction");
  }

  const bytes = message.serialize();
  const signature = tx.signatures[authorityIndex];
  const ed = o.ed25519 ?? nobleEd25519;
  if (!signature || !ed.verify(signature, bytes, payer.toBytes())) fail("invalid_exact_svm_payload_transaction_signature", "the payer's signature does not verify");
  return { payer, source: keys[sourceIndex]!, amount, messageHash: Buffer.from(sha256(bytes)).toString("base64") };
}

/** The x402 extension that describes a paid resource to discovery services (x402's "bazaar" shape: info + its schema). */
export const X402_DISCOVERY_EXTENSION = "bazaar";

/**
 * How to call a skill paid per call, for x402 discovery services: `info` is one worked call (an execute body: the
 * first endpoint with its documented example, and the answer's shape), `schema` a JSON Schema (2020-12) every
 * call's `info` satisfies (one branch per endpoint, with its payload schema, from the skill's API spec).
 * Seller-written schemas and examples pass through as data.
 */
export function x402Discovery(endpoints: SkillEndpoint[], examples: { title: string; input: unknown; output: unknown }[] = []) {
  const first = endpoints[0];
  const example = first ? examples.find((x) => x.title.startsWith(`${first.name}:`)) : undefined;
  const bodies = endpoints.map((e) => ({
    type: "object",
    description: e.summary,
    properties: { endpoint: { type: "string", const: e.name }, payload: e.input },
    required: ["endpoint"],
    additionalProperties: false,
  }));
  return {
    [X402_DISCOVERY_EXTENSION]: {
      info: {
        input: { type: "http", method: "POST", bodyType: "json", body: { endpoint: first?.name ?? "", payload: example?.input ?? {} } },
        output: { type: "json", ...(example ? { example: { result: example.output } } : {}) },
      },
      schema: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: {
          input: {
            type: "object",
            properties: {
              type: { type: "string", const: "http" },
              method: { type: "string", enum: ["POST"] },
              bodyType: { type: "string", enum: ["json"] },
              body: bodies.length > 0 ? { oneOf: bodies } : { type: "object" },
            },
            required: ["type", "method", "bodyType", "body"],
            additionalProperties: false,
          },
          output: {
            type: "object",
            properties: {
              type: { type: "string" },
              example: { type: "object", properties: { result: first?.output ?? {} }, required: ["result"] },
            },
            required: ["type"],
          },
        },
        required: ["input"],
      },
    },
  };
}
export type X402Discovery = ReturnType<typeof x402Discovery>;

/**
 * What a 402 says (the PAYMENT-REQUIRED document) and what a skill's details offer: the resource, the payments it
 * accepts, the discovery metadata; `error` says why this answer is a 402.
 */
export function x402PaymentRequired(o: { url: string; description: string; accepts: PaymentRequirements[]; extensions?: Record<string, unknown>; error?: string }) {
  return {
    x402Version: X402_VERSION,
    ...(o.error === undefined ? {} : { error: o.error }),
    resource: { url: o.url, description: o.description, mimeType: "application/json" },
    accepts: o.accepts,
    ...(o.extensions === undefined ? {} : { extensions: o.extensions }),
  };
}
