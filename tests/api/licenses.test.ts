// GET /agents/me/licenses: the caller's licenses from the index, each with its status read from the chain now, in
// pages that neither skip nor repeat one when a license is renewed between two pages; a suspended skill's license
// says so; another agent's licenses are not listed; no key, no list.
import { strict as assert } from "node:assert";
import { PublicKey } from "@solana/web3.js";
import { licensePda, preparePurchase, pricing, setSkillSuspension } from "@skill-marketplace/sdk";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { waitUntil } from "../helpers/indexer.js";
import { fundedActor, registerAgentFor, registerSkillFor, type Actor } from "../helpers/marketplace.js";

describe("api: an agent's licenses", function () {
  this.timeout(120_000);
  let api: TestApi;
  let buyer: Actor;
  let buyerKey: string;
  const skills: string[] = [];

  before(async () => {
    api = await startApi({}, { indexer: true });
    const seller = await fundedActor(api.chain.connection, 5);
    await registerAgentFor(seller, "licenses-seller");
    buyer = await fundedActor(api.chain.connection, 5);
    buyerKey = (await registerAgent(api, buyer.keypair)).apiKey;
    for (const [i, p] of [pricing.usage(10), pricing.subscription(86_400), pricing.oneTime()].entries()) {
      const skill = (await registerSkillFor(seller, { slug: `licensed-${i}`, pricing: p, price: 1_000_000n })).address;
      await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill })).rpc();
      skills.push(skill.toBase58());
    }
    await waitUntil("the three licenses indexed", async () => ((await api.db.prisma.license.count({ where: { buyer: buyer.publicKey.toBase58() } })) === 3 ? true : undefined));
  });
  after(async () => api?.stop());

  const page = async (query: string, key = buyerKey) => (await api.http.get(`/api/v1/agents/me/licenses${query}`).set(bearer(key)).expect(200)).body as { licenses: { address: string; skill: string; kind: string; status: string; valid: boolean }[]; nextCursor: string | null };

  it("lists every license once across pages, in address order, even when one is renewed between pages", async () => {
    const first = await page("?limit=2");
    assert.equal(first.licenses.length, 2);
    assert.equal(first.nextCursor, first.licenses[1]!.address);
    // A renewal between the pages (the subscription bought again) moves nothing.
    const subscription = skills[1]!;
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: new PublicKey(subscription) })).rpc();
    const second = await page(`?limit=2&cursor=${first.nextCursor}`);
    assert.equal(second.nextCursor, null);
    const listed = [...first.licenses, ...second.licenses];
    const expected = skills.map((s) => licensePda(new PublicKey(s), buyer.publicKey).toBase58()).sort();
    assert.deepEqual(listed.map((l) => l.address), expected);
    assert.deepEqual(listed.map((l) => [l.kind, l.status, l.valid]).sort(), [["oneTime", "valid", true], ["subscription", "valid", true], ["usage", "valid", true]]);
  });

  it("a suspended skill's license reads suspended; another agent sees none of them; no key is a 401", async () => {
    const suspended = skills[0]!;
    await setSkillSuspension(api.chain.admin.program, { admin: api.chain.admin.publicKey, skill: new PublicKey(suspended), reasonCid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku" }).rpc();
    const all = await page("?limit=40");
    const license = all.licenses.find((l) => l.skill === suspended)!;
    assert.deepEqual([license.status, license.valid], ["suspended", false]);
    const stranger = await fundedActor(api.chain.connection, 1);
    const strangerKey = (await registerAgent(api, stranger.keypair)).apiKey;
    assert.deepEqual(await page("", strangerKey), { licenses: [], nextCursor: null });
    const refused = await api.http.get("/api/v1/agents/me/licenses").expect(401);
    assert.equal(refused.body.error.code, "unauthorized");
  });
});
