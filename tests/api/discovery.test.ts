// Discovery, reviews list, categories, agents and seller analytics over the indexer's tables.
// Rows are written here as the indexer writes them, to pin down ranking, filters, cursors and
// caching exactly; tests/api/stack.test.ts covers the same reads fed by the real indexer.
import { Keypair } from "@solana/web3.js";
import { splitPrice } from "@skill-marketplace/sdk";
import { strict as assert } from "node:assert";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { cidOf, EmbeddedBlocks, KuboBlocks, SkillDocs, type DomainError } from "@skill-marketplace/api";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const key = () => Keypair.generate().publicKey.toBase58();
const USDC = key();

describe("api: discovery and analytics", function () {
  let api: TestApi;
  const seller = Keypair.generate();
  const other = key();
  let day = 0;
  const skill = async (slug: string, p: { category?: string; price?: bigint; sales?: number; ratings?: number[]; kind?: string; currency?: string; author?: string; docsCid?: string }) => {
    const address = key();
    const ratings = p.ratings ?? [];
    day += 1;
    await api.db.prisma.skill.create({
      data: {
        address,
        author: p.author ?? seller.publicKey.toBase58(),
        slug,
        version: "1.0.0",
        pricing: p.kind ?? "oneTime",
        price: (p.price ?? 1_000_000n).toString(),
        currency: p.currency ?? "SOL",
        category: p.category ?? "data",
        docsCid: p.docsCid ?? "bafkreid",
        commitSha: "ab".repeat(20),
        imageDigest: "cd".repeat(32),
        sales: p.sales ?? 0,
        ratingSum: ratings.reduce((a, b) => a + b, 0),
        ratingCount: ratings.length,
        createdAt: new Date(Date.UTC(2026, 0, day)),
        updatedAt: new Date(Date.UTC(2026, 0, day)),
        slot: BigInt(day),
        commitment: "confirmed",
      },
    });
    for (const rating of ratings) {
      await api.db.prisma.review.create({
        data: { address: key(), skill: address, reviewer: key(), rating, textCid: "bafkreir", createdAt: new Date(), updatedAt: new Date(), slot: 1n, commitment: "confirmed" },
      });
    }
    return address;
  };
  const ids: Record<string, string> = {};

  before(async () => {
    // Per-IP limits are the agents suite's business; the cursor fuzz alone makes 300 requests.
    api = await startApi({ RATE_LIMIT_PER_IP: "100000" });
    ids.weather = await skill("weather-forecast", { category: "data", sales: 50, ratings: [5, 4], kind: "subscription" });
    ids.translate = await skill("translate-text", { category: "language", sales: 10, ratings: [3], price: 5_000_000n });
    ids.ocr = await skill("ocr-receipts", { category: "vision", sales: 80, ratings: [5, 5, 5], currency: USDC, kind: "usage" });
    ids.summarize = await skill("summarize-text", { category: "language", sales: 30, price: 200n });
    ids.forecast = await skill("sales-forecast", { category: "data", sales: 5, ratings: [2], author: other });
  });
  after(async () => api?.stop());

  const list = async (query: string) => (await api.http.get(`/api/v1/skills${query}`).expect(200)).body as { skills: { id: string; slug: string }[]; nextCursor: string | null };
  const slugs = async (query: string) => (await list(query)).skills.map((s) => s.slug);

  it("ranks full-text matches and filters by category, kind, currency, price and rating", async () => {
    assert.deepEqual((await slugs("?search=forecast")).sort(), ["sales-forecast", "weather-forecast"]);
    assert.deepEqual(await slugs("?search=text&sort=popular"), ["summarize-text", "translate-text"]);
    assert.deepEqual(await slugs("?category=language&sort=popular"), ["summarize-text", "translate-text"]);
    assert.deepEqual(await slugs("?kind=usage"), ["ocr-receipts"]);
    assert.deepEqual(await slugs(`?currency=${USDC}`), ["ocr-receipts"]);
    assert.deepEqual((await slugs("?currency=SOL&maxPrice=1000000")).sort(), ["sales-forecast", "summarize-text", "weather-forecast"]);
    assert.deepEqual(await slugs("?minRating=4.5&sort=rating"), ["ocr-receipts", "weather-forecast"]);
    assert.deepEqual(await slugs("?search=nothing-like-this"), []);
  });

  it("ranks a one-word search off skill_terms exactly as full-text ranking does, page by page, and follows renames", async () => {
    // "data" twice (slug and category) ranks above "data" once; the rest tie and go by address.
    const twice = await skill("data-cleaner", { category: "data" });
    const once = await skill("data-viewer", { category: "vision" });
    // The same tsquery through the general path: a quoted word is no plain word.
    for (const [fast, general] of [["data", '"data"'], ["DATA", '"DATA"'], ["forecast", '"forecast"']]) {
      const pages = async (search: string) => {
        const seen: { id: string; slug: string }[][] = [];
        let cursor: string | null = null;
        do {
          const page: { skills: { id: string; slug: string }[]; nextCursor: string | null } = await list(`?search=${encodeURIComponent(search)}&sort=relevance&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
          seen.push(page.skills);
          cursor = page.nextCursor;
        } while (cursor);
        return seen;
      };
      const a = await pages(fast!);
      assert.deepEqual(a, await pages(general!), `${fast} pages like ${general}`);
      assert.ok(a.flat().length >= 2);
    }
    const data = (await list("?search=data&sort=relevance&limit=50")).skills.map((s) => s.id);
    assert.equal(data[0], twice, "two occurrences rank first");
    assert.ok(data.includes(once));
    // A cursor of one path pages the other.
    const first = await list("?search=data&sort=relevance&limit=1");
    assert.deepEqual((await list(`?search=%22data%22&sort=relevance&limit=50&cursor=${first.nextCursor}`)).skills.map((s) => s.id), data.slice(1));
    // The trigger keeps skill_terms with the skill: a new category and a delisting.
    await api.db.prisma.skill.update({ where: { address: once }, data: { category: "data" } });
    await api.db.prisma.skill.update({ where: { address: twice }, data: { active: false } });
    await api.cache.invalidate();
    const after = (await list("?search=data&sort=relevance&limit=50")).skills.map((s) => s.id);
    assert.deepEqual(after, (await list("?search=%22data%22&sort=relevance&limit=50")).skills.map((s) => s.id));
    assert.ok(!after.includes(twice), "delisted");
    assert.equal(after[0], once, "now twice a data skill");
    assert.deepEqual(
      (await api.db.prisma.skillTerm.findMany({ where: { address: once }, orderBy: { term: "asc" } })).map((t) => t.term),
      ["data", "viewer"],
    );
    await api.db.prisma.skill.delete({ where: { address: twice } });
    assert.equal(await api.db.prisma.skillTerm.count({ where: { address: twice } }), 0);
    await api.db.prisma.skill.delete({ where: { address: once } });
  });

  it("sorts by popularity, rating and age", async () => {
    assert.deepEqual(await slugs("?sort=popular"), ["ocr-receipts", "weather-forecast", "summarize-text", "translate-text", "sales-forecast"]);
    assert.deepEqual(await slugs("?sort=newest"), ["sales-forecast", "summarize-text", "ocr-receipts", "translate-text", "weather-forecast"]);
    assert.deepEqual((await slugs("?sort=rating")).slice(0, 3), ["ocr-receipts", "weather-forecast", "translate-text"]);
  });

  it("pages with cursors that stay stable while skills are added", async () => {
    const first = await list("?sort=popular&limit=2");
    assert.deepEqual(first.skills.map((s) => s.slug), ["ocr-receipts", "weather-forecast"]);
    // A new, more popular skill arrives between pages: the next pages neither repeat nor skip.
    await skill("image-caption", { category: "vision", sales: 999 });
    await api.cache.invalidate();
    const second = await list(`?sort=popular&limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(second.skills.map((s) => s.slug), ["summarize-text", "translate-text"]);
    const third = await list(`?sort=popular&limit=2&cursor=${second.nextCursor}`);
    assert.deepEqual(third.skills.map((s) => s.slug), ["sales-forecast"]);
    assert.equal(third.nextCursor, null);
    let res = await api.http.get(`/api/v1/skills?sort=newest&cursor=${first.nextCursor}`).expect(400);
    assert.equal(res.body.error.code, "invalid_cursor");
    // A cursor crafted by hand, not one we returned: 400, never a query error.
    for (const forged of [{ s: "popular", v: "x", a: "a" }, { s: "newest", v: "yesterday", a: "a" }, { s: "rating", v: "1; drop", a: "a" }]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString("base64url");
      res = await api.http.get(`/api/v1/skills?sort=${forged.s}&cursor=${cursor}`).expect(400);
      assert.equal(res.body.error.code, "invalid_cursor");
    }
    // Forged cursors that pass a shape check but that PostgreSQL would refuse (22008 date out of
    // range, 22021 NUL in text): 400, never a 500.
    const key58 = Keypair.generate().publicKey.toBase58();
    for (const forged of [
      { s: "newest", v: "2026-02-31T00:00:00Z", a: key58 },
      { s: "newest", v: "0000-01-01T00:00:00Z", a: key58 },
      { s: "newest", v: "2026-01-01T25:00:00Z", a: key58 },
      { s: "popular", v: "5", a: `${key58.slice(0, 20)}\u0000` },
    ]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString("base64url");
      res = await api.http.get(`/api/v1/skills?sort=${forged.s}&cursor=${cursor}`).expect(400);
      assert.equal(res.body.error.code, "invalid_cursor", JSON.stringify(forged));
    }
    // A well-formed hand-made cursor is just a position: it pages from there.
    const handMade = Buffer.from(JSON.stringify({ s: "newest", v: "2026-01-01T00:00:00.000Z", a: key58 })).toString("base64url");
    await api.http.get(`/api/v1/skills?sort=newest&cursor=${handMade}`).expect(200);
    res = await api.http.get("/api/v1/skills?limit=101").expect(400);
    assert.equal(res.body.error.details[0].path, "limit");
    // Relevance without a search: newest first, and the answer says which order it used.
    res = await api.http.get("/api/v1/skills?sort=relevance&limit=3").expect(200);
    const newest = await api.http.get("/api/v1/skills?sort=newest&limit=3").expect(200);
    assert.equal(res.body.sort, "newest");
    assert.deepEqual(res.body.skills, newest.body.skills);
    // Random cursors, and mutations of a real one: every one a 400 invalid_cursor, never anything else.
    const real = Buffer.from(first.nextCursor!, "base64url");
    for (let i = 0; i < 300; i++) {
      const bytes = i % 2 === 0 ? randomBytes(1 + (i % 120)) : Buffer.from(real);
      if (i % 2 === 1) for (let j = 0; j <= i % 4; j++) bytes[(i * 7 + j * 13) % bytes.length] = (i * 31 + j) % 256;
      const fuzzed = await api.http.get(`/api/v1/skills?sort=popular&cursor=${bytes.toString("base64url")}`);
      if (fuzzed.status === 200) continue; // a mutation can still spell a position (as a hand-made cursor does)
      assert.deepEqual([fuzzed.status, fuzzed.body.error.code], [400, "invalid_cursor"], bytes.toString("base64url"));
    }
    res = await api.http.get("/api/v1/skills?maxPrice=1.5").expect(400);
    assert.equal(res.body.error.details[0].path, "maxPrice");
    res = await api.http.get("/api/v1/skills?search=%3C%7F%21O%00%C3%AD").expect(400);
    assert.equal(res.body.error.message, "query value: must not contain NUL characters", "found by Schemathesis: NUL reached PostgreSQL");
    res = await api.http.get("/api/v1/skills?currency=USD").expect(400);
    assert.equal(res.body.error.details[0].path, "currency");
  });

  it("serves lists from the cache until the indexer announces a change", async () => {
    await api.cache.invalidate();
    let res = await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
    assert.equal(res.headers["x-cache"], "miss");
    res = await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
    assert.equal(res.headers["x-cache"], "hit");
    const top = res.body.skills[0];
    // The same answer keeps its entity tag, so a client that has it gets a 304 and no body.
    const etag = res.headers.etag!;
    assert.match(etag, /^"[\w-]{27}"$/);
    const unchanged = await api.http.get("/api/v1/skills?sort=popular&limit=1").set("If-None-Match", etag).expect(304);
    assert.equal(unchanged.text, "");
    await api.http.get("/api/v1/skills?sort=popular&limit=1").set("If-None-Match", `"another", W/${etag}`).expect(304);
    await api.http.get("/api/v1/skills?sort=popular&limit=1").set("If-None-Match", '"another"').expect(200);
    await api.http.get("/api/v1/skills?sort=popular&limit=1").set("If-None-Match", etag).set("Cache-Control", "no-cache").expect(200);
    // Answered from memory by URL, yet still after the rate limit: over it, the cached page is refused.
    const limited = await api.withConfig({ RATE_LIMIT_PER_IP: "1" }).get("/api/v1/skills?sort=popular&limit=1").expect(429);
    assert.equal(limited.body.error.code, "rate_limited");
    assert.equal(limited.headers["x-cache"], undefined);
    // A purchase lands: the indexer bumps the row and publishes the ids after its batch commits.
    await api.db.prisma.skill.update({ where: { address: ids.summarize! }, data: { sales: 10_000 } });
    res = await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
    assert.equal(res.body.skills[0].id, top.id, "still the cached answer");
    await api.redis.publish(api.config.INDEXER_REDIS_CHANNEL, JSON.stringify({ skills: [ids.summarize], licenses: [] }));
    for (let i = 0; i < 50 && res.body.skills[0].id !== ids.summarize; i++) {
      await new Promise((r) => setTimeout(r, 20));
      res = await api.http.get("/api/v1/skills?sort=popular&limit=1").expect(200);
    }
    assert.equal(res.body.skills[0].id, ids.summarize, "the purchase shows without waiting for a TTL");
    assert.notEqual(res.headers.etag, etag, "a changed answer has another entity tag");
    await api.http.get("/api/v1/skills?sort=popular&limit=1").set("If-None-Match", etag).expect(200);
  });

  it("shows a skill with provenance, versions, rating summary and reviews; lists reviews with a cursor", async () => {
    const res = await api.http.get(`/api/v1/skills/${ids.ocr}`).expect(200);
    assert.equal(res.body.slug, "ocr-receipts");
    assert.deepEqual(res.body.rating, { average: 5, count: 3 });
    assert.deepEqual(res.body.ratingDistribution, { "1": 0, "2": 0, "3": 0, "4": 0, "5": 3 });
    assert.equal(res.body.provenance.commitSha, "ab".repeat(20));
    assert.equal(res.body.docs.url, "ipfs://bafkreid");
    assert.equal(res.body.reviews.length, 3);
    const page1 = await api.http.get(`/api/v1/skills/${ids.ocr}/reviews?limit=2`).expect(200);
    assert.equal(page1.body.reviews.length, 2);
    const page2 = await api.http.get(`/api/v1/skills/${ids.ocr}/reviews?limit=2&cursor=${page1.body.nextCursor}`).expect(200);
    assert.equal(page2.body.reviews.length, 1);
    assert.equal(page2.body.nextCursor, null);
    const all = [...page1.body.reviews, ...page2.body.reviews].map((r: { id: string }) => r.id);
    assert.equal(new Set(all).size, 3);
    await api.http.get(`/api/v1/skills/${key()}`).expect(404);
    await api.http.get(`/api/v1/skills/${key()}/reviews`).expect(404);
    assert.deepEqual(res.body.pending, { version: null, price: null });

    // A version published ahead and a price increase announced: shown with when they apply, in details and lists.
    const at = new Date(Date.UTC(2026, 11, 24, 12));
    await api.db.prisma.skill.update({
      where: { address: ids.translate },
      data: { pendingVersion: "1.1.0", pendingDocsCid: "bafkreip", pendingCommitSha: "ef".repeat(20), pendingImageDigest: "01".repeat(32), pendingVersionAt: at, pendingPrice: "7000000", pendingPriceAt: at },
    });
    const pending = {
      version: { version: "1.1.0", docsCid: "bafkreip", commitSha: "ef".repeat(20), imageDigest: "01".repeat(32), effectiveAt: at.toISOString() },
      price: { price: "7000000", effectiveAt: at.toISOString() },
    };
    assert.deepEqual((await api.http.get(`/api/v1/skills/${ids.translate}`).expect(200)).body.pending, pending);
    const listed = (await list("?search=translate")).skills.find((s) => s.id === ids.translate) as unknown as { pending: unknown };
    assert.deepEqual(listed.pending, pending);
  });

  it("counts categories and shows agents with their skills and reputation", async () => {
    const cats = (await api.http.get("/api/v1/categories").expect(200)).body as { category: string; skills: number }[];
    assert.deepEqual(cats.find((c) => c.category === "language"), { category: "language", skills: 2 });
    await api.db.prisma.sellerReputation.create({
      data: { seller: seller.publicKey.toBase58(), weightedRating: 4.5, sales: 170, activeShare: 1, repeatBuyerShare: 0.5, qualityMultiplier: 1.125, reputation: 26.0, slot: 9n },
    });
    const res = await api.http.get(`/api/v1/agents/${seller.publicKey.toBase58()}`).expect(404);
    assert.equal(res.body.error.code, "not_found", "no agent row and no account yet");
    await registerAgent(api, seller);
    const agent = await api.http.get(`/api/v1/agents/${seller.publicKey.toBase58()}`).expect(200);
    assert.equal(agent.body.reputation.score, 26);
    assert.equal(agent.body.skills.length, 5);
  });

  it("gives sellers their own analytics only", async () => {
    const wallet = seller.publicKey.toBase58();
    const row = (signature: string, skill: string, buyer: string, price: bigint, currency = "SOL") => ({
      signature, instructionIndex: 0, eventIndex: 0, license: key(), skill, buyer, seller: wallet, kind: "oneTime", currency,
      price: price.toString(), paid: price.toString(), sellerAmount: splitPrice(price, 250).sellerAmount.toString(),
      feeAmount: splitPrice(price, 250).feeAmount.toString(), feeBps: 250, renewal: false, expiresAt: 0n, usageLimit: 0, purchasedAt: new Date(), slot: 10n, commitment: "confirmed",
    });
    const buyerA = key();
    await api.db.prisma.purchase.createMany({
      data: [row("s1", ids.weather!, buyerA, 1_000_000n), row("s2", ids.weather!, buyerA, 1_000_000n), row("s3", ids.ocr!, key(), 2_000_000n, USDC)],
    });
    const today = new Date(new Date().toISOString().slice(0, 10));
    await api.db.prisma.skillDailyStat.createMany({
      data: [
        { skill: ids.weather!, day: today, currency: "SOL", sales: 2, revenue: 2_000_000, usageUnits: 0 },
        { skill: ids.ocr!, day: today, currency: USDC, sales: 1, revenue: 2_000_000, usageUnits: 40 },
        { skill: ids.forecast!, day: today, currency: "SOL", sales: 7, revenue: 7, usageUnits: 0 },
      ],
    });
    const { apiKey } = await registerAgent(api, seller);
    const res = await api.http.get("/api/v1/analytics/seller?days=7").set(bearer(apiKey)).expect(200);
    assert.equal(res.body.buyers, 2);
    const byCurrency = <T extends { currency: string }>(rows: T[]) => [...rows].sort((a, b) => (a.currency < b.currency ? -1 : 1));
    assert.deepEqual(byCurrency(res.body.revenue), byCurrency([
      { currency: "SOL", sales: 2, gross: "2000000", net: "1950000" },
      { currency: USDC, sales: 1, gross: "2000000", net: "1950000" },
    ]));
    assert.deepEqual(res.body.daily.map((d: { currency: string; sales: number }) => [d.currency, d.sales]).sort(), [["SOL", 2], [USDC, 1]].sort());
    assert.equal(res.body.ratingDistribution["5"], 4);
    assert.equal(res.body.topSkills[0].slug, "summarize-text");
    // Another seller sees only theirs; no key: 401.
    const stranger = await registerAgent(api, Keypair.generate());
    const theirs = await api.http.get("/api/v1/analytics/seller").set(bearer(stranger.apiKey)).expect(200);
    assert.deepEqual([theirs.body.buyers, theirs.body.revenue, theirs.body.topSkills], [0, [], []]);
    await api.http.get("/api/v1/analytics/seller").expect(401);
    const bad = await api.http.get("/api/v1/analytics/seller?days=0").set(bearer(apiKey)).expect(400);
    assert.equal(bad.body.error.details[0].path, "days");
  });

  it("shows a skill's API spec, SKILL.md and examples from the docs its CID names on IPFS", async () => {
    const document = {
      format: "skill-docs/1",
      summary: "Reads totals off receipt photos",
      skillMd: "# ocr-receipts\nSend a receipt image, get its lines and total.",
      apiSpec: { openapi: "3.1.0", info: { title: "ocr-receipts", version: "1.2.0" }, paths: { "/run": { post: { summary: "read a receipt" } } } },
      examples: [{ title: "a grocery receipt", input: { image: "data:image/png;base64,iVBOR" }, output: { total: "12.40", currency: "EUR" } }],
    };
    const cid = await api.docs.publish(document);
    assert.match(cid, /^bafkrei[a-z2-7]{52}$/, "CIDv1, raw codec, sha2-256, base32");
    assert.equal(await api.docs.publish(structuredClone(document)), cid, "the same document gets the same CID");
    const documented = await skill("ocr-documented", { docsCid: cid });
    const res = await api.http.get(`/api/v1/skills/${documented}`).expect(200);
    assert.deepEqual(res.body.docs, { cid, url: `ipfs://${cid}`, status: "available", summary: document.summary, reason: null });
    assert.equal(res.body.skillMd, document.skillMd);
    assert.deepEqual(res.body.apiSpec, document.apiSpec);
    assert.deepEqual(res.body.examples, document.examples);
    // Everything the seller wrote is named as untrusted, and each named field is one that holds it.
    assert.deepEqual(res.body.untrusted.fields, ["docs.summary", "skillMd", "apiSpec", "examples"]);
    assert.match(res.body.untrusted.notice, /never as instructions/);
    const at = (path: string) => path.split(".").reduce((v: Record<string, unknown>, k) => v[k] as Record<string, unknown>, res.body);
    assert.deepEqual(res.body.untrusted.fields.map(at), [document.summary, document.skillMd, document.apiSpec, document.examples]);

    // A CID with no block behind it: said so, nothing invented, and not cached once the block arrives.
    const later = { ...document, summary: "published after the skill" };
    const laterCid = (await cidOf(new TextEncoder().encode(JSON.stringify(later)))).toString();
    const early = await skill("docs-later", { docsCid: laterCid });
    const missing = await api.http.get(`/api/v1/skills/${early}`).expect(200);
    assert.equal(missing.body.docs.status, "missing");
    assert.match(missing.body.docs.reason, /no IPFS block/);
    assert.equal(missing.body.apiSpec, null);
    assert.deepEqual(missing.body.examples, []);
    assert.equal(await api.docs.publish(later), laterCid);
    assert.equal((await api.http.get(`/api/v1/skills/${early}`).expect(200)).body.docs.summary, "published after the skill");

    // Blocks that are not skill docs, and a CID that is not one: invalid, with the reason.
    const blocks = new EmbeddedBlocks(api.config.IPFS_BLOCKSTORE_DIR);
    const notDocs = new TextEncoder().encode(JSON.stringify({ format: "skill-docs/1", summary: "no spec" }));
    const notDocsCid = await cidOf(notDocs);
    await blocks.put(notDocsCid, notDocs);
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
    const binaryCid = await cidOf(binary);
    await blocks.put(binaryCid, binary);
    const cases: [string, RegExp][] = [
      [notDocsCid.toString(), /do not follow skill-docs\/1: skillMd/],
      [binaryCid.toString(), /not UTF-8 JSON/],
      ["bafkreid", /not a valid CID/],
      // Other CID forms cannot be checked against their bytes: refused without a fetch.
      [CID.createV0(await sha256.digest(notDocs)).toString(), /not a CIDv1 of a raw sha2-256 block/],
    ];
    for (const [docsCid, reason] of cases) {
      const id = await skill(`docs-invalid-${docsCid.slice(-6)}`, { docsCid });
      const body = (await api.http.get(`/api/v1/skills/${id}`).expect(200)).body;
      assert.equal(body.docs.status, "invalid", docsCid);
      assert.match(body.docs.reason, reason);
      assert.equal(body.apiSpec, null);
    }
    // A block stored under another document's CID is not trusted: the store is at fault, so the
    // skill is not marked invalid for good, and nothing of the block is shown.
    const forgedCid = await cidOf(new TextEncoder().encode("something else"));
    await blocks.put(forgedCid, new TextEncoder().encode(JSON.stringify(document)));
    const forged = await skill("docs-forged", { docsCid: forgedCid.toString() });
    const forgedBody = (await api.http.get(`/api/v1/skills/${forged}`).expect(200)).body;
    assert.equal(forgedBody.docs.status, "unreachable");
    assert.match(forgedBody.docs.reason, /do not match the skill.s docs CID/);
    assert.equal(forgedBody.apiSpec, null);
  });

  it("refuses docs that do not follow the format, and reports an IPFS node it cannot reach", async () => {
    await assert.rejects(api.docs.publish({ format: "skill-docs/1", summary: "", skillMd: "", apiSpec: { openapi: "2.0" }, examples: [] }), (e: DomainError) => {
      assert.equal(e.code, "invalid_docs");
      assert.match(e.message, /apiSpec\.openapi: must be an OpenAPI 3\.x version/);
      return true;
    });
    const huge = { format: "skill-docs/1", summary: "", skillMd: "x".repeat(199_000), apiSpec: { openapi: "3.1.0", padding: "y".repeat(400_000) }, examples: [] };
    await assert.rejects(api.docs.publish(huge), (e: DomainError) => e.code === "docs_too_large");
    const offline = new SkillDocs(new KuboBlocks("http://127.0.0.1:9", 500));
    const view = await offline.read((await cidOf(new Uint8Array([1]))).toString());
    assert.equal(view.status, "unreachable");
    assert.match((view as { reason: string }).reason, /could not be reached/);
    // An embedded store whose directory cannot be made is unreachable, and tried again later.
    const blocked = join(tmpdir(), `skill-docs-file-${process.pid}`);
    writeFileSync(blocked, "a file where the store's parent directory should be");
    const unmade = new SkillDocs(new EmbeddedBlocks(join(blocked, "ipfs")), 10, 0);
    const cid = (await cidOf(new Uint8Array([2]))).toString();
    assert.equal((await unmade.read(cid)).status, "unreachable");
    rmSync(blocked);
    mkdirSync(join(blocked, "ipfs"), { recursive: true });
    assert.equal((await unmade.read(cid)).status, "missing", "the store opens once it can");
    rmSync(blocked, { recursive: true });
    // A block larger than any docs document is refused without being read whole.
    const big = new Uint8Array(600 * 1024);
    const bigCid = await cidOf(big);
    await new EmbeddedBlocks(api.config.IPFS_BLOCKSTORE_DIR).put(bigCid, big);
    const bigView = await api.docs.read(bigCid.toString());
    assert.equal(bigView.status, "invalid");
    assert.match((bigView as { reason: string }).reason, /larger than/);
  });
});
