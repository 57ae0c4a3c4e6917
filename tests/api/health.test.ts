// GET /api/v1/health: 200 with each dependency's answer; 503 naming exactly the ones that do not
// answer (a Redis nobody serves, a chain nobody serves), with the others still reported ok.
import { Connection } from "@solana/web3.js";
import { strict as assert } from "node:assert";
import { Redis } from "ioredis";
import { pino } from "pino";
import supertest from "supertest";
import { buildApp } from "@skill-marketplace/api";
import { startApi, type TestApi } from "../helpers/api.js";
import { freePort } from "@skill-marketplace/stack";

describe("api: health", function () {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(async () => {
    await api?.stop();
  });

  it("answers 200 when the database, Redis and the chain answer", async () => {
    const res = await api.http.get("/api/v1/health").expect(200);
    assert.equal(res.body.status, "ok");
    assert.deepEqual(Object.keys(res.body.checks).sort(), ["chain", "database", "redis"]);
    for (const check of Object.values(res.body.checks) as { ok: boolean; ms: number }[]) {
      assert.equal(check.ok, true);
      assert.ok(check.ms >= 0);
    }
    assert.ok(res.body.checks.chain.slot >= 0);
    assert.equal(res.headers["cache-control"], undefined, "never a cached answer");
  });

  const appWith = (parts: { connection?: Connection; redis?: Redis }) =>
    supertest(
      buildApp({
        config: api.config,
        connection: parts.connection ?? api.chain.connection,
        redis: parts.redis ?? api.redis,
        logger: pino({ level: "silent" }),
        stores: api.db.stores,
        cache: api.cache,
        docs: api.docs,
      }).app,
    );

  it("answers 503 naming the part that does not answer, the others reported ok", async () => {
    const deadChain = new Connection(`http://127.0.0.1:${await freePort()}`, { disableRetryOnRateLimit: true });
    const res = await appWith({ connection: deadChain }).get("/api/v1/health").expect(503);
    assert.equal(res.body.error.code, "unavailable");
    assert.equal(res.body.error.message, "not answering: chain");
    assert.equal(res.body.error.details.database.ok, true);
    assert.equal(res.body.error.details.redis.ok, true);
    assert.equal(res.body.error.details.chain.ok, false);
    assert.match(res.body.error.details.chain.error, /fetch failed|ECONNREFUSED/);
  });

  it("without Redis every request is refused as retryable (503), none let through uncounted", async () => {
    const deadRedis = new Redis(`redis://127.0.0.1:${await freePort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    deadRedis.on("error", () => undefined);
    try {
      const http = appWith({ redis: deadRedis });
      for (const path of ["/api/v1/health", "/api/v1/skills"]) {
        const res = await http.get(path).expect(503);
        assert.equal(res.body.error.code, "unavailable");
        assert.match(res.body.error.message, /^rate limits cannot be counted: Redis does not answer \(/);
      }
    } finally {
      deadRedis.disconnect();
    }
  });
});
