// The response cache across api instances, against Redis: the indexer's message names the
// generation it moved the shared counter to, and every instance moves to that one (so they share
// what they cache); any other message still moves an instance on; an instance whose subscription
// dropped catches up with the counter when it reconnects.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { CACHE_GENERATION_KEY, encodeInvalidation } from "@skill-marketplace/sdk";
import { ResponseCache } from "@skill-marketplace/api";
import { redisUrl } from "../helpers/database.js";

const waitUntil = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
};

describe("api: response cache across instances", () => {
  const logger = pino({ level: "silent" });
  let redis: Redis;
  let caches: ResponseCache[];
  let channel: string;

  beforeEach(async () => {
    redis = new Redis(redisUrl(6));
    await redis.flushdb();
    channel = `test:invalidate:${randomBytes(4).toString("hex")}`;
    caches = [new ResponseCache(redis, 300, logger), new ResponseCache(redis, 300, logger)];
    for (const cache of caches) await cache.listen(channel);
  });

  afterEach(async () => {
    for (const cache of caches) await cache.close();
    await redis.flushdb();
    redis.disconnect();
  });

  /** What the indexer does after a committed batch. */
  const announce = async () => {
    const generation = await redis.incr(CACHE_GENERATION_KEY);
    await redis.publish(channel, encodeInvalidation({ skills: ["s"], licenses: [], slot: 1, signature: "sig", generation }));
    return String(generation);
  };

  it("moves every instance to the generation the indexer names, and they share cached answers", async () => {
    for (let batch = 0; batch < 3; batch++) {
      const generation = await announce();
      await waitUntil(`generation ${generation}`, () => caches.every((c) => c.currentGeneration === generation));
    }
    assert.equal(await redis.get(CACHE_GENERATION_KEY), "3", "only the indexer counted");
    let computed = 0;
    const compute = async () => ({ n: ++computed });
    const first = await caches[0]!.json("key", compute);
    const second = await caches[1]!.json("key", compute);
    assert.equal(first.hit, false);
    assert.equal(second.hit, true, "the other instance reads what the first cached");
    assert.equal(computed, 1);
  });

  it("stays on a generation it already read from the counter when the indexer's message for it comes after", async () => {
    // The indexer counted; one instance read the counter (as at start or after a reconnect)
    // before the message reached it.
    const generation = String(await redis.incr(CACHE_GENERATION_KEY));
    await caches[0]!.sync();
    assert.equal(caches[0]!.currentGeneration, generation);
    await redis.publish(channel, encodeInvalidation({ skills: ["s"], licenses: [], slot: 1, signature: "sig", generation: Number(generation) }));
    await waitUntil("the other instance moved", () => caches[1]!.currentGeneration === generation);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(caches.map((c) => c.currentGeneration), [generation, generation], "both on the indexer's generation");
    assert.equal(await redis.get(CACHE_GENERATION_KEY), generation, "nobody but the indexer counted");
  });

  it("moves on for a message that names no generation", async () => {
    const before = caches.map((c) => c.currentGeneration);
    await redis.publish(channel, JSON.stringify({ skills: ["s"], licenses: [] }));
    await waitUntil("every instance moved", () => caches.every((c, i) => c.currentGeneration !== before[i]));
  });

  it("catches up with the counter after its subscription drops", async () => {
    const generation = String(await redis.incr(CACHE_GENERATION_KEY)); // a batch announced while nobody listened
    await redis.client("KILL", "TYPE", "pubsub");
    await waitUntil(`generation ${generation} after reconnecting`, () => caches.every((c) => c.currentGeneration === generation));
    const next = await announce();
    await waitUntil(`generation ${next}`, () => caches.every((c) => c.currentGeneration === next));
  });

  it("stores no more than its byte budget per window in Redis, however many distinct queries come; the rest is served uncached", async () => {
    const bounded = new ResponseCache(redis, 300, logger, 10_000);
    await bounded.listen(channel);
    try {
      const body = "x".repeat(1_000);
      const answers = [];
      for (let i = 0; i < 40; i++) answers.push(await bounded.json(`q${i}`, async () => ({ i, body })));
      // Every answer is the computed one; the first ones are cached, the rest are not.
      assert.deepEqual(answers.map((a) => JSON.parse(a.body.toString()).i), [...Array(40).keys()]);
      const keys = await redis.keys(`cache:g${bounded.currentGeneration}:*`);
      const bytes = (await Promise.all(keys.map((k) => redis.strlen(k)))).reduce((a, b) => a + b, 0);
      assert.ok(bytes <= 10_000, `${bytes} bytes cached`);
      assert.equal(keys.length, 9, "nine answers of 1,017 bytes fit in 10,000");
      assert.equal(bounded.overBudget, 31);
      // An uncached query is computed again (not served from memory either).
      let computed = 0;
      const again = await bounded.json("q39", async () => ({ n: ++computed }));
      assert.deepEqual([JSON.parse(again.body.toString()), again.hit], [{ n: 1 }, false]);
      // A cached one is still served.
      assert.equal((await bounded.json("q0", async () => ({ n: ++computed }))).hit, true);
    } finally {
      await bounded.close();
    }
  });

  it("keeps an answer in memory no longer than Redis keeps it", async () => {
    await caches[0]!.json("short", async () => ({ v: 1 }));
    await redis.pexpire(`cache:g${caches[1]!.currentGeneration}:short`, 300);
    // The other instance reads it with 300 ms left, and remembers it for no longer.
    assert.equal((await caches[1]!.json("short", async () => ({ v: 2 }))).hit, true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const later = await caches[1]!.json("short", async () => ({ v: 2 }));
    assert.deepEqual([JSON.parse(later.body.toString()), later.hit], [{ v: 2 }, false]);
  });
});
