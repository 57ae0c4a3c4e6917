// The whole path with the real indexer in between: a wallet buys through Solana Pay, the chain
// records it, the indexer mirrors it and announces the change, and discovery shows the sale on
// the next request (no TTL wait) while verify shows the license.
import { parseURL, type TransactionRequestURL } from "@solana/pay";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import { strict as assert } from "node:assert";
import { pricing } from "@skill-marketplace/sdk";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { indexerEnv, startIndexer, type RunningIndexer } from "../helpers/indexer.js";
import { airdrop, fundedActor, registerAgentFor, registerSkillFor, statusAt } from "../helpers/marketplace.js";

describe("api + indexer: a Solana Pay purchase shows in discovery", function () {
  let api: TestApi;
  let indexer: RunningIndexer;
  let skill: PublicKey;
  let rival: PublicKey;

  before(async () => {
    api = await startApi();
    indexer = await startIndexer(indexerEnv(api.chain, api.databaseUrl, { INDEXER_REDIS_CHANNEL: api.config.INDEXER_REDIS_CHANNEL }));
    const seller = await fundedActor(api.chain.connection, 10);
    await registerAgentFor(seller, "stack-seller");
    skill = (await registerSkillFor(seller, { slug: "stack-weather", pricing: pricing.subscription(86_400), price: 100_000_000n })).address;
    rival = (await registerSkillFor(seller, { slug: "stack-news", pricing: pricing.oneTime(), price: 1_000n })).address;
  });
  after(async () => {
    await indexer?.stop();
    await api?.stop();
  });

  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("follows the wallet's steps, then finds the license by verify and the sale by discovery", async () => {
    // Both skills indexed and listed; the listing is now cached.
    await until("skills indexed", async () => {
      const res = await api.http.get("/api/v1/skills?sort=newest").expect(200);
      return res.body.skills.length === 2 ? true : undefined;
    });
    await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
    const cached = await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
    assert.equal(cached.headers["x-cache"], "hit");

    const buyer = Keypair.generate();
    await airdrop(api.chain.connection, buyer.publicKey, 2 * LAMPORTS_PER_SOL);
    const link = (await api.http.post(`/api/v1/skills/${skill.toBase58()}/purchase-link`).expect(201)).body;
    const parsed = parseURL(link.url) as TransactionRequestURL;
    const path = new URL(parsed.link).pathname;
    await api.http.get(path).expect(200);
    const post = await api.http.post(path).send({ account: buyer.publicKey.toBase58() }).expect(200);
    const tx = Transaction.from(Buffer.from(post.body.transaction, "base64"));
    assert.deepEqual(tx.signatures.map((s) => [s.publicKey.toBase58(), s.signature]), [[buyer.publicKey.toBase58(), null]]);
    tx.partialSign(buyer);
    const signature = await api.chain.connection.sendRawTransaction(tx.serialize());
    assert.equal((await statusAt(api.chain.connection, signature, "confirmed")).err, null);

    const { apiKey } = await registerAgent(api, buyer);
    const verified = await api.http.get(`/api/v1/marketplace/verify/${skill.toBase58()}`).set(bearer(apiKey)).expect(200);
    assert.equal(verified.body.valid, true);

    // The indexer mirrors the purchase and announces it: the cached list is dropped at once.
    const top = await until("the sale in discovery", async () => {
      const res = await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
      return res.body.skills[0]?.id === skill.toBase58() && res.body.skills[0].sales === "1" ? res.body.skills[0] : undefined;
    });
    assert.equal(top.slug, "stack-weather");
    const detail = await api.http.get(`/api/v1/skills/${skill.toBase58()}`).expect(200);
    assert.equal(detail.body.sales, "1");
    const row = await api.db.prisma.purchase.findFirstOrThrow({ where: { signature } });
    assert.equal(row.reference, link.reference, "the purchase row carries the Solana Pay reference");
    assert.equal(row.buyer, buyer.publicKey.toBase58());
    assert.notEqual(rival.toBase58(), top.id);
  });
});
