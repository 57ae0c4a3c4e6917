// Buying with Solana Pay, step by step as a wallet does it (spec: transaction requests), and the
// same purchase for agents without Solana Pay; one reference never yields two charges.
import { fetchTransaction, findReference, parseURL, type TransactionRequestURL } from "@solana/pay";
import { ComputeBudgetProgram, Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import { strict as assert } from "node:assert";
import type { AddressInfo } from "node:net";
import { messageOf, PROGRAM_ID, pricing } from "@skill-marketplace/sdk";
import { buildApp, openDatabase } from "@skill-marketplace/api";
import bs58 from "bs58";
import { pino } from "pino";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { slowRpc } from "../helpers/slowRpc.js";
import { waitUntil } from "../helpers/indexer.js";
import { createAssociatedTokenAccount, getAssociatedTokenAddressSync } from "@solana/spl-token";
import {
  airdrop,
  createUsdc,
  fundedActor,
  mintUsdc,
  registerAgentFor,
  registerSkillFor,
  statusAt,
  tokenBalance,
  type Actor,
} from "../helpers/marketplace.js";

describe("api: Solana Pay purchases", function () {
  let api: TestApi;
  let seller: Actor;
  let subscription: PublicKey;
  let oneTime: PublicKey;
  const PRICE = 250_000_000n;

  before(async () => {
    // With the indexer: a payment is found through the purchase event it stored.
    // Per-IP limits are the agents suite's business; these tests make hundreds of requests from one address.
    api = await startApi({ RATE_LIMIT_PER_IP: "100000" }, { indexer: true });
    seller = await fundedActor(api.chain.connection, 10);
    await registerAgentFor(seller, "seller");
    subscription = (await registerSkillFor(seller, { slug: "weather", pricing: pricing.subscription(86_400), price: PRICE })).address;
    oneTime = (await registerSkillFor(seller, { slug: "ocr", pricing: pricing.oneTime(), price: 1_000_000n })).address;
  });
  after(async () => api?.stop());

  const buyerWallet = async () => {
    const wallet = Keypair.generate();
    await airdrop(api.chain.connection, wallet.publicKey, 5 * LAMPORTS_PER_SOL);
    return wallet;
  };
  const link = async (skill: PublicKey, body: Record<string, unknown> = {}) =>
    (await api.http.post(`/api/v1/skills/${skill.toBase58()}/purchase-link`).send(body).expect(201)).body as {
      reference: string;
      url: string;
      qrSvg: string;
      transactionRequestUrl: string;
    };
  /** Waits until the signed transaction is confirmed, failing on a program error. */
  const landed = async (_connection: unknown, signature: string) => {
    const status = await statusAt(api.chain.connection, signature, "confirmed");
    assert.equal(status.err, null, `${signature} failed: ${JSON.stringify(status.err)}`);
  };
  const requestPath = (url: string) => new URL((parseURL(url) as TransactionRequestURL).link).pathname;
  /** The payment's status once the indexer has stored its purchase (the signature comes from there). */
  const indexedStatus = (reference: string) =>
    waitUntil(`the purchase of ${reference} indexed`, async () => {
      const res = await api.http.get(`/api/v1/payments/${reference}`).expect(200);
      return res.body.signature ? (res.body as { status: string; signature: string; license: Record<string, unknown> }) : undefined;
    });

  it("follows the Solana Pay spec from link to license, seen by verify", async () => {
    const buyer = await buyerWallet();
    const { url, reference, qrSvg, transactionRequestUrl } = await link(subscription, { kind: "subscription" });
    assert.match(qrSvg, /^<svg/);
    // 1. The wallet parses the link: a transaction request to our HTTPS endpoint, named by a
    // token that is not the reference.
    const parsed = parseURL(url) as TransactionRequestURL;
    assert.equal(parsed.link.toString(), transactionRequestUrl);
    assert.match(transactionRequestUrl, /^https:\/\/market\.test\/api\/v1\/pay\/[1-9A-HJ-NP-Za-km-z]{60,70}$/);
    assert.ok(!transactionRequestUrl.includes(reference));
    // 2. GET: label and icon.
    const meta = await api.http.get(requestPath(url)).expect(200);
    assert.deepEqual(meta.body, { label: "Skill Marketplace", icon: "https://market.test/icon.svg" });
    // 3. POST the account: a transaction only the wallet has to sign, paying its own fee.
    const post = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    assert.match(post.body.message, /^Buy a subscription of weather for 0\.25 SOL$/);
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    assert.ok(tx.feePayer?.equals(buyer.publicKey));
    assert.deepEqual(tx.signatures.map((s) => [s.publicKey.toBase58(), s.signature]), [[buyer.publicKey.toBase58(), null]]);
    const purchase = tx.instructions.find((ix) => ix.programId.equals(PROGRAM_ID));
    const ref = purchase?.keys.find((k) => k.pubkey.toBase58() === reference);
    assert.ok(ref && !ref.isSigner && !ref.isWritable, "the reference rides along read-only");
    // What the api later compares against the chain is exactly what the wallet signs.
    assert.ok(messageOf(post.body.transaction).equals(tx.serializeMessage()));
    assert.throws(() => messageOf(Buffer.from([1, 0, 0]).toString("base64")), /not a serialized transaction/);
    // 4. Sign and send.
    tx.partialSign(buyer);
    const signature = await api.chain.connection.sendRawTransaction(tx.serialize());
    await landed(api.chain.connection, signature);
    // The chain has it under the reference, and the api reports it with the license.
    const found = await findReference(api.chain.connection, new PublicKey(reference), { finality: "confirmed" });
    assert.equal(found.signature, signature);
    const status = { body: await indexedStatus(reference) };
    assert.equal(status.body.status, "confirmed");
    assert.equal(status.body.signature, signature);
    assert.equal(status.body.license.kind, "subscription");
    assert.equal(status.body.license.buyer, buyer.publicKey.toBase58());
    assert.equal(status.body.license.valid, true);
    assert.equal(status.body.license.status, "valid");
    // The buyer agent sees its license through verify.
    const { apiKey } = await registerAgent(api, buyer);
    const verified = await api.http.get(`/api/v1/marketplace/verify/${subscription.toBase58()}`).set(bearer(apiKey)).expect(200);
    assert.equal(verified.body.valid, true);
    assert.ok(verified.body.license.expiresAt > Date.now() / 1000 + 86_000);
    // The same link cannot be paid twice.
    const again = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(409);
    assert.equal(again.body.error.code, "already_paid");
    assert.equal(again.body.error.details.signature, signature);
  });

  it("hands the same transaction to repeated requests, so it can land only once", async () => {
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    const first = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    // Concurrent requests all get the same transaction; never another one.
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() })),
    );
    for (const res of concurrent) assert.deepEqual([res.status, res.body.transaction], [200, first.body.transaction]);
    // Concurrent first requests on a fresh link race to bind it: one transaction stands, and
    // every request gets that one.
    const fresh = await link(subscription);
    const racing = await Promise.all([1, 2, 3, 4].map(() => api.http.post(requestPath(fresh.url)).send({ account: buyer.publicKey.toBase58() })));
    const stored = (await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference: fresh.reference } })).transaction;
    for (const res of racing) assert.deepEqual([res.status, res.body.transaction], [200, stored]);
    const second = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    assert.equal(second.body.transaction, first.body.transaction);
    // Signing both copies gives one signature: the second send is a duplicate, answered (as a
    // validator answers it) with the same signature, and charged once.
    const a = Transaction.from(Buffer.from(first.body.transaction, "base64"));
    const b = Transaction.from(Buffer.from(second.body.transaction, "base64"));
    a.partialSign(buyer);
    b.partialSign(buyer);
    const signature = await api.chain.connection.sendRawTransaction(a.serialize());
    await landed(api.chain.connection, signature);
    assert.equal(await api.chain.connection.sendRawTransaction(b.serialize()), signature);
    const license = await api.http.get(`/api/v1/payments/${reference}`).expect(200);
    assert.equal(license.body.license.purchases, 1, "one charge");
    // Another wallet cannot take over a link already bound to one.
    const other = await api.http.post(requestPath(url)).send({ account: Keypair.generate().publicKey.toBase58() }).expect(409);
    assert.ok(["bound_to_other_wallet", "already_paid"].includes(other.body.error.code));
  });

  it("refuses another wallet on a bound link, and gives a new link when the transaction expired unpaid", async () => {
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const other = await api.http.post(requestPath(url)).send({ account: Keypair.generate().publicKey.toBase58() }).expect(409);
    assert.equal(other.body.error.code, "bound_to_other_wallet");
    // Its blockhash passes its last valid height without the buyer signing.
    await api.db.prisma.paymentRequest.update({ where: { reference }, data: { lastValidBlockHeight: 0n } });
    // A page following the payment is told at once (not "pending" forever).
    assert.equal((await api.http.get(`/api/v1/payments/${reference}`).expect(200)).body.status, "expired");
    const expired = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(410);
    assert.equal(expired.body.error.code, "payment_expired");
    const next = expired.body.error.details.newLink;
    assert.notEqual(next.reference, reference);
    assert.equal((await api.http.get(`/api/v1/payments/${reference}`).expect(200)).body.status, "expired");
    // Asking again gives the same replacement, not one more link each time.
    const again = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(410);
    assert.equal(again.body.error.details.newLink.reference, next.reference);
    const old = await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference } });
    assert.equal(old.replacedBy, next.reference);
    assert.equal((await api.http.get(`/api/v1/payments/${next.reference}`).expect(200)).body.status, "pending");
    // The new link works.
    const fresh = await api.http.post(requestPath(next.url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const tx = Transaction.from(Buffer.from(fresh.body.transaction, "base64"));
    tx.partialSign(buyer);
    await landed(api.chain.connection, await api.chain.connection.sendRawTransaction(tx.serialize()));
    assert.equal((await api.http.get(`/api/v1/payments/${next.reference}`).expect(200)).body.status, "confirmed");
  });

  it("refuses what the program would refuse, before the wallet signs anything", async () => {
    const buyer = await buyerWallet();
    const before = await api.db.prisma.paymentRequest.count();
    let res = await api.http.post(`/api/v1/skills/${subscription.toBase58()}/purchase-link`).send({ kind: "usage" }).expect(409);
    assert.equal(res.body.error.code, "kind_mismatch");
    res = await api.http.post(`/api/v1/skills/${Keypair.generate().publicKey.toBase58()}/purchase-link`).expect(404);
    assert.equal(res.body.error.code, "not_found");
    res = await api.http.post(`/api/v1/skills/not-a-key/purchase-link`).expect(400);
    assert.equal(res.body.error.code, "validation_failed");
    res = await api.http.post(`/api/v1/skills/${subscription.toBase58()}/purchase-link`).send({ kind: "forever" }).expect(400);
    assert.equal(res.body.error.details[0].in, "body");
    // Reading a link creates nothing: GET is not served there.
    res = await api.http.get(`/api/v1/skills/${subscription.toBase58()}/purchase-link`).expect(405);
    assert.deepEqual([res.body.error.code, res.headers.allow], ["method_not_allowed", "POST, OPTIONS"]);
    assert.equal(await api.db.prisma.paymentRequest.count(), before, "no row for a refused or read link");
    // The seller cannot buy their own skill.
    const own = await link(subscription);
    res = await api.http.post(requestPath(own.url)).send({ account: seller.publicKey.toBase58() }).expect(409);
    assert.equal(res.body.error.code, "own_skill");
    // A one-time license is bought once.
    const first = await link(oneTime);
    const bought = await api.http.post(requestPath(first.url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const tx = Transaction.from(Buffer.from(bought.body.transaction, "base64"));
    tx.partialSign(buyer);
    await landed(api.chain.connection, await api.chain.connection.sendRawTransaction(tx.serialize()));
    const second = await link(oneTime);
    res = await api.http.post(requestPath(second.url)).send({ account: buyer.publicKey.toBase58() }).expect(409);
    assert.equal(res.body.error.code, "already_licensed");
    const row = await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference: second.reference } });
    assert.equal(row.account, null, "nothing bound by a refused request");
    // Unknown references.
    const unknown = Keypair.generate().publicKey.toBase58();
    await api.http.get(`/api/v1/payments/${unknown}`).expect(404);
    res = await api.http.post(requestPath(second.url)).send({}).expect(400);
    assert.equal(res.body.error.details[0].path, "account");
  });

  it("builds the same purchase for an agent without Solana Pay, for its own wallet only", async () => {
    const buyer = await buyerWallet();
    const { apiKey } = await registerAgent(api, buyer);
    await api.http.post("/api/v1/marketplace/purchase").send({ skillId: subscription.toBase58() }).expect(401);
    const res = await api.http.post("/api/v1/marketplace/purchase").set(bearer(apiKey)).send({ skillId: subscription.toBase58() }).expect(201);
    const tx = Transaction.from(Buffer.from(res.body.transaction, "base64"));
    assert.ok(tx.feePayer?.equals(buyer.publicKey));
    tx.partialSign(buyer);
    await landed(api.chain.connection, await api.chain.connection.sendRawTransaction(tx.serialize()));
    const status = await api.http.get(`/api/v1/payments/${res.body.reference}`).expect(200);
    assert.equal(status.body.status, "confirmed");
    const verified = await api.http.get(`/api/v1/marketplace/verify/${oneTime.toBase58()}`).set(bearer(apiKey)).expect(200);
    assert.deepEqual([verified.body.valid, verified.body.license], [false, null], "no license to the other skill");
    await api.http.get(`/api/v1/marketplace/verify/${oneTime.toBase58()}`).expect(401);
  });

  it("buys in USDC: refuses while the seller cannot receive, creates the treasury's token account, says so", async () => {
    const buyer = await buyerWallet();
    const usdc = await createUsdc(api.chain.connection, api.chain.admin.keypair, [buyer.publicKey]);
    await mintUsdc(api.chain.connection, api.chain.admin.keypair, usdc, usdc.accounts.get(buyer.publicKey.toBase58())!, 10_000_000n);
    const skill = (await registerSkillFor(seller, { slug: "usdc-skill", pricing: pricing.usage(100), price: 2_000_000n, currencyMint: usdc.mint })).address;
    // No seller token account: refused, not created at the buyer's expense.
    let { url, reference } = await link(skill);
    const refused = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(409);
    assert.equal(refused.body.error.code, "seller_token_account_missing");
    await createAssociatedTokenAccount(api.chain.connection, api.chain.admin.keypair, usdc.mint, seller.publicKey, { commitment: "confirmed" });
    ({ url, reference } = await link(skill));
    const post = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    assert.equal(post.body.message, `Buy usage units of usdc-skill for 2 of token ${usdc.mint.toBase58()}, plus rent for the marketplace's token account`);
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    assert.equal(tx.instructions.length, 2, "the treasury's token account, then the purchase");
    tx.partialSign(buyer);
    await landed(null, await api.chain.connection.sendRawTransaction(tx.serialize()));
    const sellerAta = getAssociatedTokenAddressSync(usdc.mint, seller.publicKey, true);
    const treasuryAta = getAssociatedTokenAddressSync(usdc.mint, api.chain.treasury.publicKey, true);
    assert.equal(await tokenBalance(api.chain.connection, sellerAta), 1_950_000n);
    assert.equal(await tokenBalance(api.chain.connection, treasuryAta), 50_000n);
    const status = await api.http.get(`/api/v1/payments/${reference}`).expect(200);
    assert.deepEqual([status.body.status, status.body.license.unitsLeft], ["confirmed", "100"]);
  });

  it("a paid link reads paid however many junk transactions name its public reference", async () => {
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    const post = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    tx.partialSign(buyer);
    const signature = await api.chain.connection.sendRawTransaction(tx.serialize());
    await landed(null, signature);
    // 1,000 cheap transfers naming the reference: the newest 1,000 signatures of the reference
    // no longer include the payment.
    const stranger = await buyerWallet();
    const { blockhash } = await api.chain.connection.getLatestBlockhash();
    const junk: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const spam = new Transaction({ feePayer: stranger.publicKey, recentBlockhash: blockhash }).add(
        SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: stranger.publicKey, lamports: i + 1 }),
      );
      spam.instructions[0]!.keys.push({ pubkey: new PublicKey(reference), isSigner: false, isWritable: false });
      spam.sign(stranger);
      junk.push(await api.chain.connection.sendRawTransaction(spam.serialize(), { skipPreflight: true }));
    }
    await statusAt(api.chain.connection, junk.at(-1)!, "confirmed");
    const newest = await api.chain.connection.getSignaturesForAddress(new PublicKey(reference), { limit: 1_000 }, "confirmed");
    assert.ok(!newest.some((s) => s.signature === signature), "the payment is out of the newest 1,000");
    const status = await indexedStatus(reference);
    assert.deepEqual([status.status, status.signature], ["confirmed", signature]);
    // And it is never offered a replacement, even past its blockhash's life.
    await api.db.prisma.paymentRequest.update({ where: { reference }, data: { lastValidBlockHeight: 0n } });
    const again = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(409);
    assert.deepEqual([again.body.error.code, again.body.error.details.signature], ["already_paid", signature]);
  });

  it("a wallet that re-signs with a fresh blockhash and adds a compute-budget instruction pays the link (@solana/pay fetchTransaction)", async () => {
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    // The link was opened once already (the api built its transaction), a few slots ago.
    await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A real HTTP server, as a wallet reaches it.
    const server = api.app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const tx = await fetchTransaction(api.chain.connection, buyer.publicKey, new URL(`http://127.0.0.1:${port}${requestPath(url)}`));
      const built = (await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference } })).transaction!;
      assert.notEqual(tx.recentBlockhash, Transaction.from(Buffer.from(built, "base64")).recentBlockhash, "fetchTransaction set its own blockhash");
      tx.instructions.unshift(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1 }));
      tx.sign(buyer);
      assert.ok(!messageOf(tx.serialize().toString("base64")).equals(messageOf(built)), "the signed message is not the one the api built");
      const signature = await api.chain.connection.sendRawTransaction(tx.serialize());
      await landed(null, signature);
      const status = await indexedStatus(reference);
      assert.deepEqual([status.status, status.signature, status.license.buyer], ["confirmed", signature, buyer.publicKey.toBase58()]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("ignores other transactions that mention a public reference: they neither pay nor expire it", async () => {
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    const post = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    // A stranger's transfer that names the reference succeeds, and another fails.
    const stranger = await buyerWallet();
    for (const lamports of [1, 100 * LAMPORTS_PER_SOL]) {
      const spoof = new Transaction().add(
        Object.assign(SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: stranger.publicKey, lamports }), {}),
      );
      spoof.instructions[0]!.keys.push({ pubkey: new PublicKey(reference), isSigner: false, isWritable: false });
      spoof.feePayer = stranger.publicKey;
      spoof.recentBlockhash = (await api.chain.connection.getLatestBlockhash()).blockhash;
      spoof.sign(stranger);
      const sig = await api.chain.connection.sendRawTransaction(spoof.serialize(), { skipPreflight: true });
      await statusAt(api.chain.connection, sig, "confirmed");
    }
    assert.equal((await api.http.get(`/api/v1/payments/${reference}`).expect(200)).body.status, "pending");
    const again = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    assert.equal(again.body.transaction, post.body.transaction, "still the same transaction to sign");
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    tx.partialSign(buyer);
    await landed(null, await api.chain.connection.sendRawTransaction(tx.serialize()));
    const status = await api.http.get(`/api/v1/payments/${reference}`).expect(200);
    assert.equal(status.body.status, "confirmed");
    assert.equal(status.body.license.buyer, buyer.publicKey.toBase58());
  });

  it("while the indexer is behind, a landed payment still reads paid and is never offered a replacement", async () => {
    await api.indexer!.stop();
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    const post = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    tx.partialSign(buyer);
    await landed(null, await api.chain.connection.sendRawTransaction(tx.serialize()));
    assert.equal(await api.db.prisma.purchase.count({ where: { reference } }), 0, "the indexer has not stored it");
    // Its blockhash has passed its last valid height: without the license's word it would read expired.
    await api.db.prisma.paymentRequest.update({ where: { reference }, data: { lastValidBlockHeight: 0n } });
    const again = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(409);
    assert.deepEqual([again.body.error.code, again.body.error.details.signature], ["already_paid", null]);
    const status = await api.http.get(`/api/v1/payments/${reference}`).expect(200);
    assert.equal(status.body.status, "confirmed");
    assert.equal(status.body.license.purchases, 1);
    assert.equal((await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference } })).replacedBy, null);
  });

  it("a reference read off the chain opens nothing: the link's token is the capability", async () => {
    const buyer = await buyerWallet();
    const { url, reference } = await link(subscription);
    const token = requestPath(url).split("/").pop()!;
    // The bare reference (public once any transaction naming it lands) is not a link.
    let res = await api.http.post(`/api/v1/pay/${reference}`).send({ account: buyer.publicKey.toBase58() }).expect(400);
    assert.equal(res.body.error.details[0].in, "path");
    // The token's reference swapped for another link's, or its MAC altered: not this deployment's.
    const other = await link(subscription);
    const bytes = bs58.decode(token);
    const swapped = bs58.encode(Buffer.concat([bs58.decode(other.reference), bytes.subarray(32)]));
    const altered = Buffer.from(bytes);
    altered[40]! ^= 1;
    for (const forged of [swapped, bs58.encode(altered)]) {
      res = await api.http.post(`/api/v1/pay/${forged}`).send({ account: buyer.publicKey.toBase58() }).expect(404);
      assert.equal(res.body.error.code, "not_found");
      await api.http.get(`/api/v1/pay/${forged}`).expect(404);
    }
    // Nothing was bound by the forged requests.
    for (const ref of [reference, other.reference]) {
      assert.equal((await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference: ref } })).account, null);
    }
    await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
  });

  it("a replacement goes only to the wallet the expired link was bound to", async () => {
    const buyer = await buyerWallet();
    const stranger = Keypair.generate().publicKey.toBase58();
    const { url, reference } = await link(subscription);
    await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    await api.db.prisma.paymentRequest.update({ where: { reference }, data: { lastValidBlockHeight: 0n } });
    // A stranger holding the link gets no replacement, and none is made for them.
    let res = await api.http.post(requestPath(url)).send({ account: stranger }).expect(409);
    assert.equal(res.body.error.code, "bound_to_other_wallet");
    assert.equal((await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference } })).replacedBy, null);
    // The buyer gets it, already bound to the buyer's wallet.
    res = await api.http.post(requestPath(url)).send({ account: buyer.publicKey.toBase58() }).expect(410);
    const next = res.body.error.details.newLink;
    const row = await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference: next.reference } });
    assert.deepEqual([row.account, row.transaction], [buyer.publicKey.toBase58(), null]);
    res = await api.http.post(requestPath(next.url)).send({ account: stranger }).expect(409);
    assert.equal(res.body.error.code, "bound_to_other_wallet");
    res = await api.http.post(requestPath(url)).send({ account: stranger }).expect(409);
    assert.equal(res.body.error.code, "bound_to_other_wallet", "the old link does not show the stranger its replacement either");
    await api.http.post(requestPath(next.url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
  });

  it("unused links expire, and unused or long-expired requests are swept; paid ones stay", async () => {
    const buyer = await buyerWallet();
    const age = (reference: string, column: "created_at" | "updated_at", hours: number) =>
      api.db.prisma.$executeRawUnsafe(`UPDATE payment_requests SET ${column} = now() - interval '${hours} hours' WHERE reference = $1`, reference);
    // Unused past its lifetime (an hour by default): refused, nothing bound.
    const unused = await link(subscription);
    assert.equal((await api.http.get(`/api/v1/payments/${unused.reference}`).expect(200)).body.status, "pending");
    await age(unused.reference, "created_at", 2);
    // A page following it (a QR code nobody scanned) is told it expired.
    assert.equal((await api.http.get(`/api/v1/payments/${unused.reference}`).expect(200)).body.status, "expired");
    const res = await api.http.post(requestPath(unused.url)).send({ account: buyer.publicKey.toBase58() }).expect(410);
    assert.equal(res.body.error.code, "link_expired");
    assert.equal((await api.db.prisma.paymentRequest.findUniqueOrThrow({ where: { reference: unused.reference } })).account, null);
    // Bound, never paid, its transaction long dead.
    const abandoned = await link(subscription);
    await api.http.post(requestPath(abandoned.url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    // Paid.
    const paid = await link(subscription);
    const post = await api.http.post(requestPath(paid.url)).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    tx.partialSign(buyer);
    await landed(null, await api.chain.connection.sendRawTransaction(tx.serialize()));
    // Read as paid (by the license, whether or not the indexer runs): the request is marked paid.
    await waitUntil("the paid link read as paid", async () =>
      (await api.http.get(`/api/v1/payments/${paid.reference}`).expect(200)).body.status === "confirmed" ? true : undefined,
    );
    const fresh = await link(subscription);
    for (const ref of [abandoned.reference, paid.reference]) {
      await age(ref, "created_at", 50);
      await age(ref, "updated_at", 49);
    }
    assert.ok((await api.payments.sweep()) >= 2);
    const left = await api.db.prisma.paymentRequest.findMany({
      where: { reference: { in: [unused.reference, abandoned.reference, paid.reference, fresh.reference] } },
      select: { reference: true },
    });
    assert.deepEqual(left.map((r) => r.reference).sort(), [paid.reference, fresh.reference].sort());
    assert.equal((await api.http.get(`/api/v1/payments/${paid.reference}`).expect(200)).body.status, "confirmed");
    await api.http.get(`/api/v1/payments/${unused.reference}`).expect(404);
  });

  it("a slow RPC node does not starve the database pool: no request holds a connection while it waits on the chain", async () => {
    // The review's attack: 16 links, 300 cheap transfers naming all 16 references, 16 concurrent
    // POSTs; here against a node that answers every call 400 ms late and a pool of 2 connections.
    const slow = await slowRpc(api.chain.localnet.rpcUrl, 400);
    const db = openDatabase(api.databaseUrl, { poolSize: 2 });
    const app = buildApp({ config: api.config, connection: new Connection(slow.url, "confirmed"), redis: api.redis, logger: pino({ level: "silent" }), stores: db.stores, cache: api.cache, docs: api.docs }).app;
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const links = await Promise.all(Array.from({ length: 16 }, () => link(subscription)));
      const stranger = await buyerWallet();
      const { blockhash } = await api.chain.connection.getLatestBlockhash();
      let last = "";
      for (let i = 0; i < 300; i++) {
        const spam = new Transaction({ feePayer: stranger.publicKey, recentBlockhash: blockhash }).add(
          SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: stranger.publicKey, lamports: i + 1 }),
        );
        for (const l of links) spam.instructions[0]!.keys.push({ pubkey: new PublicKey(l.reference), isSigner: false, isWritable: false });
        spam.sign(stranger);
        last = await api.chain.connection.sendRawTransaction(spam.serialize(), { skipPreflight: true });
      }
      await statusAt(api.chain.connection, last, "confirmed");
      const agent = await buyerWallet();
      const { apiKey } = await registerAgent(api, agent);
      const finished: string[] = [];
      const posts = links.map(async (l, i) => {
        const res = await fetch(base + requestPath(l.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ account: Keypair.generate().publicKey.toBase58() }),
        });
        finished.push(`post ${i}`);
        return res.status;
      });
      // Every POST is waiting on the node now.
      await waitUntil("16 POSTs waiting on the node", async () => (slow.waiting() >= 16 ? true : undefined));
      const me = await fetch(`${base}/api/v1/agents/me`, { headers: bearer(apiKey) });
      finished.push("agents/me");
      assert.equal(me.status, 200);
      assert.deepEqual(await Promise.all(posts), Array(16).fill(200), "every POST built its transaction");
      assert.equal(finished[0], "agents/me", `the unrelated request finished first: ${finished.join(", ")}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await db.close();
      await slow.close();
    }
  });
});
