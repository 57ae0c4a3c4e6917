// Only accounts the program owns count. Anyone can make an account with the program's layout under
// another program (or at an address the program would use, on a node that lets tests write one):
// the sdk's fetchAccount reads it as none, and the api answers as if it did not exist.
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import { strict as assert } from "node:assert";
import { fetchAccount, licensePda, pricing } from "@skill-marketplace/sdk";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { waitUntil } from "../helpers/indexer.js";
import { airdrop, fundedActor, registerAgentFor, registerSkillFor, statusAt } from "../helpers/marketplace.js";

describe("api: look-alike accounts owned by another program", function () {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(async () => api?.stop());

  /** Writes `data` at `address`, owned by `owner`, through the test node's setAccount. */
  const lookAlike = async (address: PublicKey, owner: PublicKey, data: Buffer) => {
    const res = await fetch(api.chain.localnet.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "setAccount",
        params: [address.toBase58(), { lamports: LAMPORTS_PER_SOL, owner: owner.toBase58(), data: [data.toString("base64"), "base64"] }],
      }),
    });
    const answer = (await res.json()) as { result?: null; error?: unknown };
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    // Written at the current slot: what the api reads (confirmed) has it a slot later.
    await waitUntil("the look-alike confirmed", async () => {
      const info = await api.chain.connection.getAccountInfo(address, "confirmed");
      return info?.owner.equals(owner) && info.data.equals(data) ? true : undefined;
    });
  };

  it("a skill's bytes under another program are no skill: fetchAccount null, purchase-link and verify 404", async () => {
    const seller = await fundedActor(api.chain.connection, 5);
    await registerAgentFor(seller, "seller");
    const real = (await registerSkillFor(seller, { slug: "real-skill", pricing: pricing.oneTime(), price: 1_000_000n })).address;
    const info = (await api.chain.connection.getAccountInfo(real, "confirmed"))!;
    const fake = Keypair.generate().publicKey;
    await lookAlike(fake, Keypair.generate().publicKey, info.data);
    assert.ok(await fetchAccount(api.chain.connection, "skill", real, "confirmed"));
    assert.equal(await fetchAccount(api.chain.connection, "skill", fake, "confirmed"), null);
    const before = await api.db.prisma.paymentRequest.count();
    let res = await api.http.post(`/api/v1/skills/${fake.toBase58()}/purchase-link`).expect(404);
    assert.deepEqual([res.body.error.code, res.body.error.message], ["not_found", `skill ${fake.toBase58()} not found`]);
    assert.equal(await api.db.prisma.paymentRequest.count(), before, "no link made for it");
    const agent = Keypair.generate();
    const { apiKey } = await registerAgent(api, agent);
    res = await api.http.get(`/api/v1/marketplace/verify/${fake.toBase58()}`).set(bearer(apiKey)).expect(404);
    assert.equal(res.body.error.code, "not_found");
    await api.http.post(`/api/v1/skills/${real.toBase58()}/purchase-link`).expect(201);
  });

  it("a license's bytes at another buyer's license address, under another program, are no license", async () => {
    const seller = await fundedActor(api.chain.connection, 5);
    await registerAgentFor(seller, "seller-2");
    const skill = (await registerSkillFor(seller, { slug: "licensed-skill", pricing: pricing.subscription(86_400), price: 1_000_000n })).address;
    // A buyer holds a real license.
    const buyer = Keypair.generate();
    await airdrop(api.chain.connection, buyer.publicKey, LAMPORTS_PER_SOL);
    const { apiKey: buyerKey } = await registerAgent(api, buyer);
    const built = await api.http.post("/api/v1/marketplace/purchase").set(bearer(buyerKey)).send({ skillId: skill.toBase58() }).expect(201);
    const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"));
    tx.partialSign(buyer);
    assert.equal((await statusAt(api.chain.connection, await api.chain.connection.sendRawTransaction(tx.serialize()), "confirmed")).err, null);
    const license = (await api.chain.connection.getAccountInfo(licensePda(skill, buyer.publicKey), "confirmed"))!;
    // Its bytes, at the address the program would give another agent's license, owned by another program.
    const other = Keypair.generate();
    const { apiKey } = await registerAgent(api, other);
    await lookAlike(licensePda(skill, other.publicKey), Keypair.generate().publicKey, license.data);
    const verdict = await api.http.get(`/api/v1/marketplace/verify/${skill.toBase58()}`).set(bearer(apiKey)).expect(200);
    assert.deepEqual([verdict.body.valid, verdict.body.license], [false, null]);
    assert.equal(await fetchAccount(api.chain.connection, "license", licensePda(skill, other.publicKey), "confirmed"), null);
    const held = await api.http.get(`/api/v1/marketplace/verify/${skill.toBase58()}`).set(bearer(buyerKey)).expect(200);
    assert.equal(held.body.valid, true, "the real holder's license still reads valid");
  });
});
