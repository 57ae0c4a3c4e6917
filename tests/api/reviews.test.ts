// Posting reviews through the api: an unsigned transaction for license holders only; the review
// text stored on IPFS by the api, and read back with the review's weight.
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import { strict as assert } from "node:assert";
import { fetchAccount, pricing, reviewPda } from "@skill-marketplace/sdk";
import { cidOf } from "@skill-marketplace/api";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { waitUntil } from "../helpers/indexer.js";
import { airdrop, fundedActor, meterUsage, registerAgentFor, registerSkillFor, statusAt } from "../helpers/marketplace.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

describe("api: reviews", function () {
  let api: TestApi;
  let skill: PublicKey;
  before(async () => {
    api = await startApi({}, { indexer: true });
    const seller = await fundedActor(api.chain.connection, 10);
    await registerAgentFor(seller, "reviewed-seller");
    skill = (await registerSkillFor(seller, { slug: "summarize", pricing: pricing.usage(100), price: 10_000_000n })).address;
  });
  after(async () => api?.stop());

  const signAndSend = async (base64: string, wallet: Keypair) => {
    const tx = Transaction.from(Buffer.from(base64, "base64"));
    assert.deepEqual(tx.signatures.map((s) => s.publicKey.toBase58()), [wallet.publicKey.toBase58()], "only the caller signs");
    tx.partialSign(wallet);
    const signature = await api.chain.connection.sendRawTransaction(tx.serialize());
    const status = await statusAt(api.chain.connection, signature, "confirmed");
    assert.equal(status.err, null);
  };

  it("refuses a wallet without a license, before anything is signed", async () => {
    const wallet = Keypair.generate();
    const { apiKey } = await registerAgent(api, wallet);
    const res = await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send({ rating: 5, textCid: CID }).expect(403);
    assert.equal(res.body.error.code, "not_license_holder");
    await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).send({ rating: 5, textCid: CID }).expect(401);
  });

  it("posts, then updates, the review of a license holder who used the skill", async () => {
    const wallet = Keypair.generate();
    await airdrop(api.chain.connection, wallet.publicKey, 2 * LAMPORTS_PER_SOL);
    const { apiKey } = await registerAgent(api, wallet);
    const bought = await api.http.post("/api/v1/marketplace/purchase").set(bearer(apiKey)).send({ skillId: skill.toBase58() }).expect(201);
    await signAndSend(bought.body.transaction, wallet);

    // A usage license with no unit recorded cannot review yet: refused before anything is signed.
    const early = await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send({ rating: 1, textCid: CID }).expect(403);
    assert.equal(early.body.error.code, "license_not_used");
    assert.equal(early.body.transaction, undefined);
    await statusAt(api.chain.connection, await meterUsage(api.chain.meter, { skill, buyer: wallet.publicKey, units: 1 }), "confirmed");

    // The text goes to the api, which stores it on IPFS; the review carries its CID.
    const text = "  Summaries were right on the first try — häufig genutzt.  ";
    const posted = await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send({ rating: 4, text }).expect(201);
    assert.equal(posted.body.action, "post");
    assert.equal(posted.body.review, reviewPda(skill, wallet.publicKey).toBase58());
    const textCid = (await cidOf(new TextEncoder().encode(text.trim()))).toString();
    assert.equal(posted.body.textCid, textCid);
    await signAndSend(posted.body.transaction, wallet);
    let review = await fetchAccount(api.chain.connection, "review", reviewPda(skill, wallet.publicKey), "confirmed");
    assert.equal(review?.rating, 4);
    assert.equal(review?.textCid, textCid);

    // Read back: the text from IPFS, and the weight (what the reviewer paid: the price).
    const listed = await waitUntil("the review indexed", async () => {
      const body = (await api.http.get(`/api/v1/skills/${skill.toBase58()}/reviews`).expect(200)).body;
      return body.reviews.length === 1 ? body.reviews[0] : undefined;
    });
    assert.deepEqual(
      { reviewer: listed.reviewer, rating: listed.rating, weight: listed.weight, textCid: listed.textCid, text: listed.text },
      { reviewer: wallet.publicKey.toBase58(), rating: 4, weight: "10000000", textCid, text: text.trim() },
    );
    const details = (await api.http.get(`/api/v1/skills/${skill.toBase58()}`).expect(200)).body;
    assert.deepEqual(details.reviews.map((r: { text: string; weight: string }) => [r.text, r.weight]), [[text.trim(), "10000000"]]);

    const updated = await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send({ rating: 2, textCid: CID }).expect(201);
    assert.equal(updated.body.action, "update");
    await signAndSend(updated.body.transaction, wallet);
    review = await fetchAccount(api.chain.connection, "review", reviewPda(skill, wallet.publicKey), "confirmed");
    assert.equal(review?.rating, 2);
    // A CID the store does not hold: the review shows without text.
    const relisted = await waitUntil("the update indexed", async () => {
      const [r] = (await api.http.get(`/api/v1/skills/${skill.toBase58()}/reviews`).expect(200)).body.reviews;
      return r?.rating === 2 ? r : undefined;
    });
    assert.deepEqual([relisted.textCid, relisted.text], [CID, null]);
  });

  it("validates rating, CID, text and skill; a refused text is not stored", async () => {
    const { apiKey } = await registerAgent(api, Keypair.generate());
    const post = (id: string, body: object) => api.http.post(`/api/v1/skills/${id}/reviews`).set(bearer(apiKey)).send(body);
    let res = await post(skill.toBase58(), { rating: 6, textCid: CID }).expect(400);
    assert.equal(res.body.error.details[0].path, "rating");
    res = await post(skill.toBase58(), { rating: 0, textCid: CID }).expect(400);
    res = await post(skill.toBase58(), { rating: 3, textCid: "x".repeat(65) }).expect(400);
    assert.equal(res.body.error.details[0].path, "textCid");
    res = await post(Keypair.generate().publicKey.toBase58(), { rating: 3, textCid: CID }).expect(404);
    assert.equal(res.body.error.code, "not_found");
    // Exactly one of text and textCid.
    for (const body of [{ rating: 3 }, { rating: 3, text: "good", textCid: CID }]) {
      res = await post(skill.toBase58(), body).expect(400);
      assert.equal(res.body.error.code, "validation_failed");
      assert.match(res.body.error.message, /exactly one of text and textCid/);
    }
  });

  it("refuses a review text that is blank or longer than 4,000 bytes, storing nothing", async () => {
    const wallet = Keypair.generate();
    await airdrop(api.chain.connection, wallet.publicKey, 2 * LAMPORTS_PER_SOL);
    const { apiKey } = await registerAgent(api, wallet);
    const bought = await api.http.post("/api/v1/marketplace/purchase").set(bearer(apiKey)).send({ skillId: skill.toBase58() }).expect(201);
    await signAndSend(bought.body.transaction, wallet);
    await statusAt(api.chain.connection, await meterUsage(api.chain.meter, { skill, buyer: wallet.publicKey, units: 1 }), "confirmed");
    const post = (body: object) => api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send(body);
    // 2,000 characters, 6,000 bytes: within the characters the schema allows, over the bytes.
    const long = "€".repeat(2_000);
    let res = await post({ rating: 5, text: long }).expect(400);
    assert.equal(res.body.error.code, "review_text_too_long");
    assert.match(res.body.error.message, /6000 bytes; at most 4000/);
    res = await post({ rating: 5, text: " \n\t " }).expect(400);
    assert.equal(res.body.error.code, "invalid_review_text");
    assert.equal(await api.docs.blocks.get(await cidOf(new TextEncoder().encode(long))), null, "the refused text was not stored");
    assert.equal(await fetchAccount(api.chain.connection, "review", reviewPda(skill, wallet.publicKey), "confirmed"), null);
  });
});
