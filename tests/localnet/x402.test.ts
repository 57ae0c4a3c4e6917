// The marketplace as its own x402 facilitator on the real node, with payments made by the unmodified x402 client
// (@x402/svm's exact scheme, signing with the payer's keypair through @solana/kit): what a call asks for, a
// payment verified then settled into the skill's vault (the payer pays no SOL: the fee payer does), and every
// refusal with its reason while no money moves: a payment for another skill or amount, an expired blockhash, a
// payment used twice (in sequence and concurrently), a second payment while one runs, a payer who cannot pay
// (refused before the fee payer spends anything), a payment whose run failed (never sent, even if asked).
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { createKeyPairSignerFromBytes } from "@solana/kit";
import { Keypair, type PublicKey } from "@solana/web3.js";
import { ExactSvmScheme } from "@x402/svm/exact/client";
import bs58 from "bs58";
import { Redis } from "ioredis";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { SystemProgram, TransactionMessage, VersionedTransaction, type TransactionInstruction } from "@solana/web3.js";
import pino from "pino";
import {
  awaitLanding,
  encodeX402Header,
  pricing,
  skillVault,
  skillVaultAuthorityPda,
  splitPrice,
  splitVault,
  X402_NETWORKS,
  X402PaymentError,
  type PaymentRequirements,
} from "@skill-marketplace/sdk";
import { VaultSplitter, X402Facilitator } from "@skill-marketplace/executor";
import { redisUrl } from "../helpers/database.js";
import { airdrop, createUsdc, fundedActor, lamports, mintUsdc, registerAgentFor, registerSkillFor, startMarketplace, tokenBalance, type Actor, type Chain } from "../helpers/marketplace.js";

describe("localnet: x402 payments, verified and settled by the marketplace's facilitator", function () {
  this.timeout(120_000);
  let chain: Chain;
  let redis: Redis;
  let facilitator: X402Facilitator;
  let payer: Actor;
  let payerToken: PublicKey;
  let skill: PublicKey;
  let other: PublicKey;
  let mint: PublicKey;
  const feePayer = Keypair.generate();

  /** A PAYMENT-SIGNATURE header as @x402/fetch sends it, built by the official client for `req`. */
  const pay = async (req: PaymentRequirements, who: Keypair = payer.keypair, accepted: PaymentRequirements = req) => {
    const signer = await createKeyPairSignerFromBytes(who.secretKey);
    const made = await new ExactSvmScheme(signer, { rpcUrl: chain.localnet.rpcUrl }).createPaymentPayload(2, req as PaymentRequirements & { network: `${string}:${string}` });
    return encodeX402Header({ x402Version: 2, payload: made.payload, accepted, resource: { url: `https://market.test/api/v1/skills/${skill.toBase58()}/execute` } });
  };
  const refusedWith = (reason: string) => (e: unknown) => {
    assert.ok(e instanceof X402PaymentError, String(e));
    assert.equal(e.reason, reason, e.message);
    return true;
  };
  const balances = async () => [await tokenBalance(chain.connection, payerToken), await tokenBalance(chain.connection, skillVault(skill, mint)).catch(() => 0n)];

  before(async () => {
    chain = await startMarketplace();
    redis = new Redis(redisUrl(12));
    await redis.flushdb();
    const seller = await fundedActor(chain.connection);
    payer = await fundedActor(chain.connection);
    await airdrop(chain.connection, feePayer.publicKey, 2e9);
    await registerAgentFor(seller, "x402-seller");
    const usdc = await createUsdc(chain.connection, chain.admin.keypair, [payer.publicKey]);
    mint = usdc.mint;
    payerToken = usdc.accounts.get(payer.publicKey.toBase58())!;
    await mintUsdc(chain.connection, chain.admin.keypair, usdc, payerToken, 1_000_000n);
    skill = (await registerSkillFor(seller, { slug: "per-call", pricing: pricing.usage(100), price: 1_000_000n, currencyMint: mint })).address;
    other = (await registerSkillFor(seller, { slug: "per-call-2", pricing: pricing.usage(10), price: 1_000_000n, currencyMint: mint })).address;
    facilitator = new X402Facilitator({ connection: chain.connection, redis, feePayer, network: X402_NETWORKS.devnet });
  });

  after(async () => {
    redis?.disconnect();
    await chain?.stop();
  });

  it("asks for the skill's price per call in its token, paid to its vault, with our fee payer; SOL-priced and non-usage skills ask for nothing", async () => {
    const req = await facilitator.requirements(skill);
    assert.deepEqual(req, {
      scheme: "exact",
      network: X402_NETWORKS.devnet,
      amount: "10000",
      asset: mint.toBase58(),
      payTo: skillVaultAuthorityPda(skill).toBase58(),
      maxTimeoutSeconds: 60,
      extra: { feePayer: feePayer.publicKey.toBase58() },
    });
    const seller = await fundedActor(chain.connection);
    await registerAgentFor(seller, "x402-other");
    const sol = (await registerSkillFor(seller, { slug: "sol-usage", pricing: pricing.usage(100), price: 1_000_000n })).address;
    const oneTime = (await registerSkillFor(seller, { slug: "one-time", pricing: pricing.oneTime(), price: 1_000_000n, currencyMint: mint })).address;
    assert.equal(await facilitator.requirements(sol), null);
    assert.equal(await facilitator.requirements(oneTime), null);
    assert.equal(await facilitator.requirements(Keypair.generate().publicKey), null);
  });

  it("verifies the official client's payment, settles it into the vault (the fee payer pays the fee), and refuses it ever after", async () => {
    const req = (await facilitator.requirements(skill))!;
    const header = await pay(req);
    const payerLamports = await lamports(chain.connection, payer.publicKey);
    const verified = await facilitator.verify(header, req);
    assert.ok(verified.checked.payer.equals(payer.publicKey));
    // Verified is not paid: nothing moved before the settlement (the vault exists now, empty).
    assert.deepEqual(await balances(), [1_000_000n, 0n]);
    const signature = await facilitator.settle(verified);
    assert.match(signature, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    assert.deepEqual(await balances(), [990_000n, 10_000n]);
    assert.equal(await lamports(chain.connection, payer.publicKey), payerLamports, "the payer paid no SOL");
    assert.equal(await redis.get(verified.claim), `settled:${signature}`);
    await assert.rejects(facilitator.verify(header, req), refusedWith("duplicate_settlement"));
    assert.deepEqual(await balances(), [990_000n, 10_000n]);
  });

  it("one payment sent twice at once is verified once", async () => {
    const req = (await facilitator.requirements(skill))!;
    const header = await pay(req);
    const results = await Promise.allSettled([facilitator.verify(header, req), facilitator.verify(header, req), facilitator.verify(header, req)]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") refusedWith("duplicate_settlement")(r.reason);
    const verified = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<Awaited<ReturnType<X402Facilitator["verify"]>>>).value;
    const before = await balances();
    await facilitator.settle(verified);
    assert.deepEqual(await balances(), [before[0]! - 10_000n, before[1]! + 10_000n]);
  });

  it("refuses a payment for another skill, another amount or another fee payer, and moves nothing", async () => {
    const req = (await facilitator.requirements(skill))!;
    const otherReq = (await facilitator.requirements(other))!;
    const before = await balances();
    // Paid for the other skill (its vault, its amount), presented for this one.
    await assert.rejects(facilitator.verify(await pay(otherReq), req), refusedWith("invalid_payment_requirements"));
    // Claims to accept this call's terms, but the transaction pays less.
    await assert.rejects(facilitator.verify(await pay({ ...req, amount: "9999" }, payer.keypair, req), req), refusedWith("invalid_exact_svm_payload_amount_mismatch"));
    // Claims this call's terms, but pays into the other skill's vault.
    await assert.rejects(facilitator.verify(await pay({ ...req, payTo: otherReq.payTo }, payer.keypair, req), req), refusedWith("invalid_exact_svm_payload_recipient_mismatch"));
    // A fee payer that is not ours would have the payer's transaction name someone else.
    const stranger = Keypair.generate().publicKey.toBase58();
    await assert.rejects(facilitator.verify(await pay({ ...req, extra: { feePayer: stranger } }), req), refusedWith("invalid_payment_requirements"));
    await assert.rejects(facilitator.verify(await pay({ ...req, extra: { feePayer: stranger } }, payer.keypair, req), req), refusedWith("invalid_exact_svm_payload_transaction_fee_payer"));
    assert.deepEqual(await balances(), before);
  });

  it("refuses an expired blockhash, a payer who cannot pay (claim released), and a run that failed is never settled", async () => {
    const req = (await facilitator.requirements(skill))!;
    const before = await balances();
    // The client takes the blockhash the 402 names: one the node never made (or long expired).
    const stale = { ...req, extra: { ...req.extra, recentBlockhash: bs58.encode(randomBytes(32)) } } as PaymentRequirements;
    await assert.rejects(facilitator.verify(await pay(stale, payer.keypair, req), req), refusedWith("invalid_exact_svm_payload_transaction_blockhash_expired"));

    // A wallet with SOL but no token account of the asset: the payment cannot land, and its claim is let go.
    const poor = await fundedActor(chain.connection);
    const claims = (await redis.keys("x402:payment:*")).length;
    await assert.rejects(facilitator.verify(await pay(req, poor.keypair), req), refusedWith("insufficient_funds"));
    assert.equal((await redis.keys("x402:payment:*")).length, claims, "the failed payment holds no claim");

    const verified = await facilitator.verify(await pay(req), req);
    // While it runs, the payer's funds back no second payment.
    await assert.rejects(facilitator.verify(await pay(req), req), refusedWith("payment_in_flight"));
    await facilitator.abandon(verified);
    assert.equal(await redis.get(verified.claim), "abandoned");
    // An abandoned payment is never sent, even if asked.
    await assert.rejects(facilitator.settle(verified), refusedWith("duplicate_settlement"));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(await balances(), before, "an abandoned payment never lands");
  });

  it("follows a sent transaction to its end: landed, landed with an error, or expired unseen (never 'maybe')", async () => {
    const { blockhash } = await chain.connection.getLatestBlockhash("confirmed");
    const send = async (instructions: TransactionInstruction[]) => {
      const tx = new VersionedTransaction(new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions }).compileToV0Message());
      tx.sign([payer.keypair]);
      return chain.connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    };
    const ok = await send([SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: feePayer.publicKey, lamports: 1 })]);
    assert.deepEqual(await awaitLanding(chain.connection, ok, blockhash), { landed: true, err: null });
    // More lamports than the payer holds: it lands, and fails.
    const broke = await send([SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: feePayer.publicKey, lamports: 10n ** 15n })]);
    const failed = await awaitLanding(chain.connection, broke, blockhash);
    assert.equal(failed.landed, true);
    assert.ok(failed.landed && failed.err !== null, "landed with its error");
    // A signature no node has seen, made with a blockhash no node knows: it can never land.
    assert.deepEqual(await awaitLanding(chain.connection, bs58.encode(randomBytes(64)), bs58.encode(randomBytes(32))), { landed: false, reason: "expired" });
  });

  it("splits a vault to seller and treasury once it holds its quota of payments or its oldest one is old enough", async () => {
    const seller = await fundedActor(chain.connection);
    await registerAgentFor(seller, "x402-split");
    const split = (await registerSkillFor(seller, { slug: "split-me", pricing: pricing.usage(100), price: 1_000_000n, currencyMint: mint })).address;
    const splitter = new VaultSplitter({ connection: chain.connection, redis, payer: feePayer, logger: pino({ level: "silent" }), everyCalls: 2, maxAgeMs: 3_600_000 });
    const vault = skillVault(split, mint);
    const sellerToken = getAssociatedTokenAddressSync(mint, seller.publicKey);
    const treasuryToken = getAssociatedTokenAddressSync(mint, chain.treasury.publicKey);
    const treasuryBefore = await tokenBalance(chain.connection, treasuryToken).catch(() => 0n);
    // One call paid as the executor does it: verified, settled, counted toward the vault's split.
    const paidCall = async () => {
      const req = (await facilitator.requirements(split))!;
      const verified = await facilitator.verify(await pay(req), req);
      await facilitator.settle(verified);
      await splitter.paid(split, mint, verified.tokenProgram);
    };

    await paidCall();
    assert.deepEqual(await splitter.tick(), [], "one payment of two: not due");
    assert.equal(await tokenBalance(chain.connection, vault), 10_000n);
    await paidCall();
    const [signature] = await splitter.tick();
    assert.ok(signature, "two payments: due");
    const shares = splitPrice(20_000n, 250);
    assert.equal(await tokenBalance(chain.connection, vault), 0n);
    // The seller had no token account of the asset: the split made it.
    assert.equal(await tokenBalance(chain.connection, sellerToken), shares.sellerAmount);
    assert.equal((await tokenBalance(chain.connection, treasuryToken)) - treasuryBefore, shares.feeAmount);
    assert.equal(await redis.zcard("x402:vaults:since"), 0, "nothing left waiting");

    // One payment, then time: due by age.
    await paidCall();
    assert.deepEqual(await splitter.tick(), []);
    assert.equal((await splitter.tick(Date.now() + 3_600_000)).length, 1);
    assert.equal(await tokenBalance(chain.connection, sellerToken), shares.sellerAmount + splitPrice(10_000n, 250).sellerAmount);

    // Someone else split it first (anyone may): the round finds it empty, sends nothing, and forgets it.
    await paidCall();
    await paidCall();
    await splitVault(payer.program, { skill: split, author: seller.publicKey, treasury: chain.treasury.publicKey, mint }).rpc();
    const fees = await lamports(chain.connection, feePayer.publicKey);
    assert.deepEqual(await splitter.tick(), []);
    assert.equal(await lamports(chain.connection, feePayer.publicKey), fees, "no transaction for an empty vault");
    assert.equal(await redis.zcard("x402:vaults:since"), 0);

    // One executor splits at a time: a round that finds the lock taken does nothing.
    await paidCall();
    await paidCall();
    await redis.set("x402:vaults:lock", "another executor", "PX", 5_000);
    assert.deepEqual(await splitter.tick(), []);
    assert.equal(await tokenBalance(chain.connection, vault), 20_000n);
    await redis.del("x402:vaults:lock");
    assert.equal((await splitter.tick()).length, 1);
    assert.equal(await tokenBalance(chain.connection, vault), 0n);
  });
});
