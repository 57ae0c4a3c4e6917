// Posting reviews through the api: an unsigned transaction for license holders only.
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import { strict as assert } from "node:assert";
import { fetchAccount, pricing, reviewPda } from "@skill-marketplace/sdk";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { airdrop, fundedActor, meterUsage, registerAgentFor, registerSkillFor, statusAt } from "../helpers/marketplace.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

describe("api: reviews", function () {
  let api: TestApi;
  let skill: PublicKey;
  before(async () => {
    api = await startApi();
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

    const posted = await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send({ rating: 4, textCid: CID }).expect(201);
    assert.equal(posted.body.action, "post");
    assert.equal(posted.body.review, reviewPda(skill, wallet.publicKey).toBase58());
    await signAndSend(posted.body.transaction, wallet);
    let review = await fetchAccount(api.chain.connection, "review", reviewPda(skill, wallet.publicKey), "confirmed");
    assert.equal(review?.rating, 4);

    const updated = await api.http.post(`/api/v1/skills/${skill.toBase58()}/reviews`).set(bearer(apiKey)).send({ rating: 2, textCid: CID }).expect(201);
    assert.equal(updated.body.action, "update");
    await signAndSend(updated.body.transaction, wallet);
    review = await fetchAccount(api.chain.connection, "review", reviewPda(skill, wallet.publicKey), "confirmed");
    assert.equal(review?.rating, 2);
  });

  it("validates rating, CID and skill", async () => {
    const { apiKey } = await registerAgent(api, Keypair.generate());
    const post = (id: string, body: object) => api.http.post(`/api/v1/skills/${id}/reviews`).set(bearer(apiKey)).send(body);
    let res = await post(skill.toBase58(), { rating: 6, textCid: CID }).expect(400);
    assert.equal(res.body.error.details[0].path, "rating");
    res = await post(skill.toBase58(), { rating: 0, textCid: CID }).expect(400);
    res = await post(skill.toBase58(), { rating: 3, textCid: "x".repeat(65) }).expect(400);
    assert.equal(res.body.error.details[0].path, "textCid");
    res = await post(Keypair.generate().publicKey.toBase58(), { rating: 3, textCid: CID }).expect(404);
    assert.equal(res.body.error.code, "not_found");
  });
});
