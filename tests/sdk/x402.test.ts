// The sdk's x402 rules: what a call costs, what a 402 asks for, and the payment transactions the marketplace
// accepts before anything runs: exactly the transfer asked for, into the skill's vault, paid by someone other than
// the fee payer, and nothing else (no second transfer, no close, no set-authority, no lookup tables).
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import BN from "bn.js";
import {
  ComputeBudgetProgram,
  Keypair,
  PublicKey,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import {
  AuthorityType,
  createCloseAccountInstruction,
  createSetAuthorityInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import bs58 from "bs58";
import Ajv2020Module from "ajv/dist/2020.js";
import {
  checkExactPayment,
  decodeX402Header,
  encodeX402Header,
  MEMO_PROGRAM_ID,
  paymentRequirements,
  pricePerCall,
  skillApiSpec,
  skillEndpoints,
  skillVault,
  skillVaultAuthorityPda,
  x402Discovery,
  X402_NETWORKS,
  x402PaymentRequired,
  X402PaymentError,
  type PaymentRequirements,
} from "@skill-marketplace/sdk";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;

const usage = (units: number) => ({ usage: { unitsPerPurchase: new BN(units) } }) as never;

describe("sdk: x402 pay-per-call", () => {
  const feePayer = Keypair.generate();
  const payer = Keypair.generate();
  const mint = Keypair.generate().publicKey;
  const skill = Keypair.generate().publicKey;
  const req = paymentRequirements({ address: skill, pricing: usage(100), price: 1_000_000n, currency: mint }, { network: X402_NETWORKS.devnet, feePayer: feePayer.publicKey })!;
  const payerToken = getAssociatedTokenAddressSync(mint, payer.publicKey);
  const vault = skillVault(skill, mint);
  const limit = ComputeBudgetProgram.setComputeUnitLimit({ units: 20_000 });
  const price = ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1 });
  const transfer = (amount = 10_000n, o: { to?: PublicKey; mint?: PublicKey; authority?: PublicKey; program?: PublicKey } = {}) =>
    createTransferCheckedInstruction(payerToken, o.mint ?? mint, o.to ?? vault, o.authority ?? payer.publicKey, amount, 6, [], o.program ?? TOKEN_PROGRAM_ID);
  const memo = (keys: PublicKey[] = []) => new TransactionInstruction({ programId: MEMO_PROGRAM_ID, keys: keys.map((pubkey) => ({ pubkey, isSigner: false, isWritable: false })), data: Buffer.from(randomBytes(16).toString("hex")) });
  /** A payment as the x402 client builds it: the fee payer's slot left empty, the payer's signature in. */
  const payment = (ixs: TransactionInstruction[], signers: Keypair[] = [payer]) => {
    const message = new TransactionMessage({ payerKey: feePayer.publicKey, recentBlockhash: bs58.encode(randomBytes(32)), instructions: ixs }).compileToV0Message();
    const tx = new VersionedTransaction(message);
    tx.sign(signers);
    return tx;
  };
  const refused = (tx: VersionedTransaction, reason: string, requirements: PaymentRequirements = req) =>
    assert.throws(() => checkExactPayment(tx, requirements, { tokenProgram: TOKEN_PROGRAM_ID }), (e: unknown) => {
      assert.ok(e instanceof X402PaymentError, String(e));
      assert.equal(e.reason, reason, e.message);
      return true;
    });

  it("a call of a usage skill costs its price over the units a purchase buys, rounded up; other skills are not paid per call", () => {
    assert.equal(pricePerCall({ pricing: usage(100), price: 1_000_000n }), 10_000n);
    assert.equal(pricePerCall({ pricing: usage(3), price: 10n }), 4n);
    assert.equal(pricePerCall({ pricing: { subscription: { periodSecs: new BN(3600) } } as never, price: 5n }), null);
    assert.equal(pricePerCall({ pricing: { oneTime: {} } as never, price: 5n }), null);
    // SOL-priced: the exact scheme pays in tokens.
    assert.equal(paymentRequirements({ address: skill, pricing: usage(100), price: 1_000_000n, currency: null }, { network: X402_NETWORKS.devnet, feePayer: feePayer.publicKey }), null);
    assert.deepEqual(req, {
      scheme: "exact",
      network: "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
      amount: "10000",
      asset: mint.toBase58(),
      payTo: skillVaultAuthorityPda(skill).toBase58(),
      maxTimeoutSeconds: 60,
      extra: { feePayer: feePayer.publicKey.toBase58() },
    });
    assert.ok(vault.equals(getAssociatedTokenAddressSync(mint, skillVaultAuthorityPda(skill), true)), "the vault is payTo's associated token account");
  });

  it("accepts exactly the payment asked for, memo or not; its identity ignores the fee payer's signature slot", () => {
    for (const ixs of [[limit, price, transfer(), memo()], [limit, price, transfer()]]) {
      const tx = payment(ixs);
      const checked = checkExactPayment(tx, req, { tokenProgram: TOKEN_PROGRAM_ID });
      assert.ok(checked.payer.equals(payer.publicKey));
      assert.ok(checked.source.equals(payerToken));
      assert.equal(checked.amount, 10_000n);
      tx.signatures[0] = randomBytes(64);
      assert.equal(checkExactPayment(tx, req, { tokenProgram: TOKEN_PROGRAM_ID }).messageHash, checked.messageHash);
    }
  });

  it("refuses another amount, asset or recipient, and a payment in the other token program", () => {
    refused(payment([limit, price, transfer(9_999n), memo()]), "invalid_exact_svm_payload_amount_mismatch");
    refused(payment([limit, price, transfer(10_001n), memo()]), "invalid_exact_svm_payload_amount_mismatch");
    refused(payment([limit, price, transfer(10_000n, { mint: Keypair.generate().publicKey }), memo()]), "invalid_exact_svm_payload_mint_mismatch");
    refused(payment([limit, price, transfer(10_000n, { to: getAssociatedTokenAddressSync(mint, payer.publicKey) }), memo()]), "invalid_exact_svm_payload_recipient_mismatch");
    // Another skill's vault is another recipient.
    refused(payment([limit, price, transfer(10_000n, { to: skillVault(Keypair.generate().publicKey, mint) }), memo()]), "invalid_exact_svm_payload_recipient_mismatch");
    refused(payment([limit, price, transfer(10_000n, { program: TOKEN_2022_PROGRAM_ID }), memo()]), "invalid_exact_svm_payload_no_transfer_instruction");
  });

  it("refuses anything besides the transfer: a second transfer, a close, a set-authority, extra instructions", () => {
    refused(payment([limit, price, transfer(), transfer()]), "invalid_exact_svm_payload_unknown_fourth_instruction");
    refused(payment([limit, price, transfer(), createCloseAccountInstruction(payerToken, feePayer.publicKey, payer.publicKey)]), "invalid_exact_svm_payload_unknown_fourth_instruction");
    refused(payment([limit, price, transfer(), createSetAuthorityInstruction(payerToken, payer.publicKey, AuthorityType.CloseAccount, feePayer.publicKey)]), "invalid_exact_svm_payload_unknown_fourth_instruction");
    refused(payment([limit, price, transfer(), memo(), memo()]), "invalid_exact_svm_payload_transaction_instructions_length");
    refused(payment([price, limit, transfer(), memo()]), "invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction");
    refused(payment([limit, limit, transfer(), memo()]), "invalid_exact_svm_payload_transaction_instructions_compute_price_instruction");
    refused(payment([transfer(), limit, price, memo()]), "invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction");
  });

  it("refuses a fee payer that pays, or appears in any instruction, and caps what the marketplace pays for", () => {
    refused(payment([limit, price, transfer(10_000n, { authority: feePayer.publicKey }), memo()], [feePayer]), "invalid_exact_svm_payload_transaction");
    refused(payment([limit, price, transfer(), memo([feePayer.publicKey])]), "invalid_exact_svm_payload_unknown_fourth_instruction");
    // The fee payer's own address in the transfer (here as its source account).
    refused(payment([limit, price, createTransferCheckedInstruction(feePayer.publicKey, mint, vault, payer.publicKey, 10_000n, 6)]), "invalid_exact_svm_payload_transaction_fee_payer_included_in_instruction_accounts");
    refused(payment([limit, ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 100_001 }), transfer()]), "invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high");
    refused(payment([ComputeBudgetProgram.setComputeUnitLimit({ units: 40_001 }), price, transfer()]), "invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction");
    // At the caps, accepted: 4,000 lamports of priority at most.
    assert.equal(checkExactPayment(payment([ComputeBudgetProgram.setComputeUnitLimit({ units: 40_000 }), ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 100_000 }), transfer()]), req, { tokenProgram: TOKEN_PROGRAM_ID }).amount, 10_000n);
    // Someone else's fee payer.
    refused(payment([limit, price, transfer()]), "invalid_exact_svm_payload_transaction_fee_payer", { ...req, extra: { feePayer: Keypair.generate().publicKey.toBase58() } });
  });

  it("refuses a payer signature that does not verify, and a third signer", () => {
    const tx = payment([limit, price, transfer(), memo()]);
    tx.signatures[1] = randomBytes(64);
    refused(tx, "invalid_exact_svm_payload_transaction_signature");
    const other = Keypair.generate();
    const withThird = new TransactionInstruction({ programId: MEMO_PROGRAM_ID, keys: [{ pubkey: other.publicKey, isSigner: true, isWritable: false }], data: Buffer.from("x") });
    refused(payment([limit, price, transfer(), withThird], [payer, other]), "invalid_exact_svm_payload_transaction");
  });

  it("refuses an instruction that names an account past the message's", () => {
    const tx = payment([limit, price, transfer(), memo()]);
    (tx.message.compiledInstructions[2]!.accountKeyIndexes as number[])[1] = 99;
    refused(tx, "invalid_exact_svm_payload_transaction");
  });

  it("headers are base64 JSON; anything else is an invalid payload", () => {
    assert.deepEqual(decodeX402Header(encodeX402Header({ x402Version: 2, accepts: [req] })), { x402Version: 2, accepts: [req] });
    assert.throws(() => decodeX402Header("not base64!"), (e: unknown) => e instanceof X402PaymentError && e.reason === "invalid_payload");
    assert.throws(() => decodeX402Header(Buffer.from("{nope").toString("base64")), (e: unknown) => e instanceof X402PaymentError && e.reason === "invalid_payload");
  });

  it("discovery metadata (x402's bazaar shape) comes from the skill's API spec, and its schema holds every endpoint's calls", () => {
    const manifest = {
      name: "Text tools",
      version: "1.2.3",
      description: "Counts and cleans text",
      endpoints: {
        count: { description: "counts words", input: { type: "object", properties: { text: { type: "string" } }, required: ["text"] }, output: { type: "object", properties: { words: { type: "integer" } } }, examples: [] },
        clean: { description: "x".repeat(600), input: { type: "string" }, output: { type: "string" }, examples: [] },
      },
    };
    const endpoints = skillEndpoints(skillApiSpec(manifest as never));
    assert.deepEqual(endpoints.map((e) => [e.name, e.summary.length, e.input.type]), [["count", 12, "object"], ["clean", 500, "string"]]);
    // What is not a spec has no endpoints (the document is seller-written).
    assert.deepEqual(skillEndpoints(null), []);
    assert.deepEqual(skillEndpoints({ paths: { "/../x": { post: {} }, "/ok": "not an operation" } }), []);

    const { bazaar } = x402Discovery(endpoints, [{ title: "count: two words", input: { text: "two words" }, output: { words: 2 } }]);
    assert.deepEqual(bazaar.info, {
      input: { type: "http", method: "POST", bodyType: "json", body: { endpoint: "count", payload: { text: "two words" } } },
      output: { type: "json", example: { result: { words: 2 } } },
    });
    const fits = new Ajv2020({ strict: false }).compile(bazaar.schema);
    const call = (body: unknown) => fits({ ...bazaar.info, input: { ...bazaar.info.input, body } });
    assert.equal(fits(bazaar.info), true, JSON.stringify(fits.errors));
    assert.equal(call({ endpoint: "clean", payload: "  text  " }), true);
    assert.equal(call({ endpoint: "clean", payload: { text: "an object" } }), false);
    assert.equal(call({ endpoint: "count", payload: {} }), false);
    assert.equal(call({ endpoint: "count", payload: { text: "t" }, extra: 1 }), false);
    assert.equal(call({ endpoint: "other" }), false);
    // Without examples there is no worked answer, only its schema.
    assert.deepEqual(x402Discovery(endpoints).bazaar.info.output, { type: "json" });
  });

  it("the 402's document: resource, what it accepts, metadata, and why", () => {
    const req = { scheme: "exact", network: X402_NETWORKS.devnet, amount: "1", asset: "m", payTo: "p", maxTimeoutSeconds: 60, extra: { feePayer: "f" } } as const;
    assert.deepEqual(x402PaymentRequired({ url: "https://m.test/x", description: "one call", accepts: [req], error: "pay" }), {
      x402Version: 2,
      error: "pay",
      resource: { url: "https://m.test/x", description: "one call", mimeType: "application/json" },
      accepts: [req],
    });
  });
});
