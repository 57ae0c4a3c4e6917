// The one public URL agents call: POST /api/v1/skills/:id/execute on the api, relayed to the
// executor service (its own HTTP server here, as under `npm start`), with real keys and tokens.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { join } from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import { licensePda, licenseTokenClaims, preparePurchase, pricing, provenance, receiptSettled, registerSkill, semver, signLicenseToken, skillPda, verifyReceiptSignature } from "@skill-marketplace/sdk";
import { Executor, meterHealth, refreshReliability, Settlement } from "@skill-marketplace/executor";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { buildFixture, testDocker } from "../helpers/docker.js";
import { serveExecutor } from "../helpers/executor.js";
import { freePort } from "../helpers/localnet.js";
import { actor, airdrop, COMMIT_SHA, DOCS_CID, registerAgentFor, type Actor } from "../helpers/marketplace.js";
import { redisUrl } from "../helpers/database.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "skills", "exec");

/** `probe`'s first answer that is not null (or undefined and not a 404 body), within 20 s. */
async function eventually<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe().catch(() => null);
    if (value && !(value as { error?: unknown }).error) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("gave up waiting");
}

describe("executor over HTTP: the api's execute URL", function () {
  this.timeout(300_000);
  let api: TestApi;
  let server: Server;
  let pool: pg.Pool;
  let redis: Redis;
  let executor: Executor;
  let executorUrl: string;
  let seller: Actor;
  let buyer: Actor;
  let buyerKey: string;
  let otherKey: string;
  let skill: PublicKey;
  let limited: PublicKey;
  let receipted: PublicKey;
  let digest: string;
  let runs = 0;
  const docker = testDocker();

  const token = (who: Actor, s: PublicKey) =>
    signLicenseToken(licenseTokenClaims({ license: licensePda(s, who.publicKey), skill: s, holder: who.publicKey, audience: api.config.API_PUBLIC_URL }), who.keypair.secretKey);
  const execute = (s: PublicKey, key: string, headers: Record<string, string>, body: unknown = { endpoint: "count", payload: { text: "a b c d" } }) =>
    api.http.post(`/api/v1/skills/${s.toBase58()}/execute`).set({ ...bearer(key), ...headers }).send(body as object);
  const register = async (slug: string, digest: string) => {
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug,
      version: semver("2.0.1"),
      category: "data-analysis",
      pricing: pricing.usage(10),
      price: 1_000_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, digest),
    }).rpc();
    return skillPda(seller.publicKey, slug);
  };
  const fundedActor = async () => {
    const keypair = Keypair.generate();
    await airdrop(api.chain.connection, keypair.publicKey, 5e9);
    return actor(api.chain.connection, keypair);
  };

  before(async () => {
    const port = await freePort();
    executorUrl = `http://127.0.0.1:${port}`;
    api = await startApi({ EXECUTOR_URL: executorUrl }, { indexer: true });
    pool = new pg.Pool({ connectionString: api.databaseUrl, max: 4 });
    redis = new Redis(redisUrl(10));
    await redis.flushdb();
    digest = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec:1");
    ({ executor, server } = await serveExecutor({
      api,
      pool,
      redis,
      docker,
      port,
      onRun: () => runs++,
      options: { licenseCacheMs: 0, licenseCallsPerMinute: 3 },
    }));
    assert.equal((server.address() as AddressInfo).port, port);
    seller = await fundedActor();
    buyer = await fundedActor();
    await registerAgentFor(seller, "http-seller");
    skill = await register("http-count", digest);
    limited = await register("http-limited", digest);
    receipted = await register("http-receipted", digest);
    for (const s of [skill, limited, receipted]) await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: s })).rpc();
    buyerKey = (await registerAgent(api, buyer.keypair)).apiKey;
    otherKey = (await registerAgent(api, Keypair.generate())).apiKey;
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await executor?.close();
    redis?.disconnect();
    await pool?.end();
    await api?.stop();
  });

  it("runs a call with X-License-Token (or X-Purchase-Token) and answers the result with a verifiable receipt", async () => {
    const answer = await execute(skill, buyerKey, { "X-License-Token": token(buyer, skill) }).expect(200);
    assert.deepEqual(answer.body.result, { words: 4 });
    // No payload: the skill gets {}.
    assert.deepEqual((await execute(skill, buyerKey, { "X-License-Token": token(buyer, skill) }, { endpoint: "count" }).expect(200)).body.result, { words: 0 });
    assert.equal(answer.body.usage.units, 1);
    assert.equal(answer.body.usage.receipt.version, "2.0.1");
    assert.ok(verifyReceiptSignature(answer.body.usage.receipt, answer.body.usage.receipt.signature));
    const again = await execute(skill, buyerKey, { "X-Purchase-Token": token(buyer, skill) }).expect(200);
    assert.notEqual(again.body.usage.receipt.id, answer.body.usage.receipt.id);
  });

  it("GET /receipts/:id: pending until settled, then the transaction and a proof that verifies on chain; only for its buyer", async () => {
    const answer = await execute(receipted, buyerKey, { "X-License-Token": token(buyer, receipted) }).expect(200);
    const id = answer.body.usage.receipt.id;
    const pending = await api.http.get(`/api/v1/receipts/${id}`).set(bearer(buyerKey)).expect(200);
    assert.deepEqual(pending.body, { receipt: answer.body.usage.receipt, settlement: { status: "pending", transaction: null, receiptsRoot: null, proof: null } });
    await new Settlement({ connection: api.chain.connection, pool, meter: api.chain.meter.keypair, logger: pino({ level: "silent" }) }).drain();
    const landed = await api.http.get(`/api/v1/receipts/${id}`).set(bearer(buyerKey)).expect(200);
    assert.equal(landed.body.settlement.status, "landed");
    assert.ok(await receiptSettled(api.chain.connection, landed.body.receipt, landed.body.settlement.proof, landed.body.settlement.transaction));
    // A forged receipt does not verify with the same proof.
    assert.ok(!(await receiptSettled(api.chain.connection, { ...landed.body.receipt, units: 2 }, landed.body.settlement.proof, landed.body.settlement.transaction)));
    const other = await api.http.get(`/api/v1/receipts/${id}`).set(bearer(otherKey)).expect(404);
    assert.equal(other.body.error.code, "not_found");
    await api.http.get(`/api/v1/receipts/${id}`).expect(401);
    assert.equal((await api.http.get("/api/v1/receipts/not-a-uuid").set(bearer(buyerKey)).expect(400)).body.error.code, "validation_failed");
  });

  it("GET /agents/me/licenses/:address/receipts: the newest calls first, each with its settlement; nothing of another buyer's", async () => {
    const license = licensePda(receipted, buyer.publicKey).toBase58();
    const url = `/api/v1/agents/me/licenses/${license}/receipts`;
    const before = (await api.http.get(url).set(bearer(buyerKey)).expect(200)).body.receipts.length;
    const ids: string[] = [];
    // Two more (the suite allows three calls a minute per license; the test above made one).
    for (let i = 0; i < 2; i++) ids.push((await execute(receipted, buyerKey, { "X-License-Token": token(buyer, receipted) }).expect(200)).body.usage.receipt.id);
    const listed = (await api.http.get(`${url}?limit=2`).set(bearer(buyerKey)).expect(200)).body.receipts;
    assert.deepEqual(listed.map((r: { receipt: { id: string } }) => r.receipt.id), [ids[1], ids[0]]);
    assert.ok(listed.every((r: { settlement: { status: string; transaction: null } }) => r.settlement.status === "pending" && r.settlement.transaction === null));
    assert.ok(listed.every((r: { receipt: Parameters<typeof verifyReceiptSignature>[0] & { signature: string } }) => verifyReceiptSignature(r.receipt, r.receipt.signature)));
    await new Settlement({ connection: api.chain.connection, pool, meter: api.chain.meter.keypair, logger: pino({ level: "silent" }) }).drain();
    const settled = (await api.http.get(url).set(bearer(buyerKey)).expect(200)).body.receipts;
    assert.equal(settled.length, before + 2);
    for (const r of settled.slice(0, 2)) {
      assert.equal(r.settlement.status, "landed");
      const { body } = await api.http.get(`/api/v1/receipts/${r.receipt.id}`).set(bearer(buyerKey)).expect(200);
      assert.equal(r.settlement.transaction, body.settlement.transaction);
    }
    // Another wallet sees none of them, as a license with no calls; without a key, 401; limits are checked.
    assert.deepEqual((await api.http.get(url).set(bearer(otherKey)).expect(200)).body, { receipts: [] });
    await api.http.get(url).expect(401);
    assert.equal((await api.http.get(`${url}?limit=51`).set(bearer(buyerKey)).expect(400)).body.error.code, "validation_failed");
    assert.equal((await api.http.get("/api/v1/agents/me/licenses/not-a-key/receipts").set(bearer(buyerKey)).expect(400)).body.error.code, "validation_failed");
  });

  it("discovery and skill details show the version's reliability measured from its calls", async () => {
    const measured = await register("http-measured", digest);
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: measured })).rpc();
    // Not run yet: no figures.
    const fresh = await eventually(async () => (await api.http.get(`/api/v1/skills/${measured.toBase58()}`)).body);
    assert.equal(fresh.reliability, null);
    await execute(measured, buyerKey, { "X-License-Token": token(buyer, measured) }).expect(200);
    await execute(measured, buyerKey, { "X-License-Token": token(buyer, measured) }).expect(200);
    await execute(measured, buyerKey, { "X-License-Token": token(buyer, measured) }, { endpoint: "fail", payload: {} }).expect(422);
    await refreshReliability(pool);
    const { rows } = await pool.query("SELECT p50_ms, p95_ms FROM skill_reliability WHERE skill = $1", [measured.toBase58()]);
    const expected = { calls: 3, successRate: 0.6667, timeouts: 0, p50Ms: rows[0].p50_ms, p95Ms: rows[0].p95_ms };
    assert.ok(expected.p50Ms > 0 && expected.p95Ms >= expected.p50Ms);
    // Skill details are cached until the indexer announces a change; a purchase makes one.
    const second = await fundedActor();
    await (await preparePurchase(second.program, { buyer: second.publicKey, skill: measured })).rpc();
    const details = await eventually(async () => {
      const body = (await api.http.get(`/api/v1/skills/${measured.toBase58()}`).expect(200)).body;
      return body.reliability ? body : null;
    });
    assert.deepEqual(details.reliability, expected);
    assert.deepEqual(details.versions.map((v: { version: string; reliability: unknown }) => [v.version, v.reliability]), [["2.0.1", expected]]);
    const listed = (await api.http.get("/api/v1/skills?sort=newest&limit=100").expect(200)).body.skills.find((x: { id: string }) => x.id === measured.toBase58());
    assert.deepEqual(listed.reliability, expected);
  });

  it("the executor's health warns when the meter cannot pay for settlement", async () => {
    const funded = await meterHealth(api.chain.connection, api.chain.meter.publicKey, 1_000);
    assert.deepEqual(funded.warnings, []);
    assert.ok(funded.meterLamports! > 1_000);
    const empty = Keypair.generate().publicKey;
    assert.deepEqual(await meterHealth(api.chain.connection, empty, 10_000_000), {
      meter: empty.toBase58(),
      meterLamports: 0,
      warnings: ["the meter authority holds 0 lamports, under 10000000: fund it or settlement stops"],
    });
  });

  it("relays each refusal with its code, before anything runs", async () => {
    const before = runs;
    const refused = async (response: { status: number; body: { error: { code: string; message: string } } }, status: number, code: string) => {
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(response.body.error.code, code);
    };
    await refused(await api.http.post(`/api/v1/skills/${skill.toBase58()}/execute`).send({ endpoint: "count", payload: {} }), 401, "unauthorized");
    await refused(await execute(skill, buyerKey, {}), 401, "license_token_missing");
    // A leaked token with another agent's key.
    await refused(await execute(skill, otherKey, { "X-License-Token": token(buyer, skill) }), 403, "license_holder_mismatch");
    await refused(await execute(skill, buyerKey, { "X-License-Token": "sml1.x.y" }), 401, "license_token_invalid");
    await refused(await execute(skill, buyerKey, { "X-License-Token": token(buyer, skill) }, { endpoint: "count", payload: {}, extra: 1 }), 400, "validation_failed");
    assert.equal(runs, before);
    // The executor answers only the api.
    const direct = await fetch(`${executorUrl}/v1/calls`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer guessed-secret-0000" },
      body: JSON.stringify({ skill: skill.toBase58(), agentWallet: buyer.publicKey.toBase58(), token: token(buyer, skill), endpoint: "count", payload: {} }),
    });
    assert.equal(direct.status, 401);
    assert.equal(((await direct.json()) as { error: { code: string } }).error.code, "unauthorized");
    assert.equal(runs, before);
  });

  it("a failed run answers 422 skill_failed and costs nothing; the license's rate limit answers 429 with Retry-After", async () => {
    const failed = await execute(limited, buyerKey, { "X-License-Token": token(buyer, limited) }, { endpoint: "fail", payload: {} }).expect(422);
    assert.equal(failed.body.error.code, "skill_failed");
    assert.equal(failed.body.error.details.outcome, "crashed");
    const license = licensePda(limited, buyer.publicKey).toBase58();
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM receipts WHERE license = $1", [license])).rows[0].n, 0);
    await execute(limited, buyerKey, { "X-License-Token": token(buyer, limited) }).expect(200);
    await execute(limited, buyerKey, { "X-License-Token": token(buyer, limited) }).expect(200);
    const limitedAnswer = await execute(limited, buyerKey, { "X-License-Token": token(buyer, limited) }).expect(429);
    assert.equal(limitedAnswer.body.error.code, "rate_limited");
    assert.ok(Number(limitedAnswer.headers["retry-after"]) >= 1);
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM receipts WHERE license = $1", [license])).rows[0].n, 2);
  });

  it("answers 503 executor_unavailable when the executor does not answer, and the OpenAPI document describes the call", async () => {
    const down = await api
      .withConfig({ EXECUTOR_URL: "http://127.0.0.1:9" })
      .post(`/api/v1/skills/${skill.toBase58()}/execute`)
      .set({ ...bearer(buyerKey), "X-License-Token": token(buyer, skill) })
      .send({ endpoint: "count", payload: {} })
      .expect(503);
    assert.equal(down.body.error.code, "executor_unavailable");
    // A marketplace without an executor has no such path (and its document does not list it).
    const none = await api.withConfig({ EXECUTOR_URL: "" }).post(`/api/v1/skills/${skill.toBase58()}/execute`).set(bearer(buyerKey)).send({ endpoint: "count", payload: {} }).expect(404);
    assert.equal(none.body.error.code, "not_found");
    assert.equal((await api.withConfig({ EXECUTOR_URL: "" }).get("/api/v1/openapi.json").expect(200)).body.paths["/api/v1/skills/{id}/execute"], undefined);
    const doc = (await api.http.get("/api/v1/openapi.json").expect(200)).body;
    const operation = doc.paths["/api/v1/skills/{id}/execute"].post;
    assert.deepEqual(operation.parameters.filter((p: { in: string }) => p.in === "header").map((p: { name: string }) => p.name).sort(), ["payment-signature", "x-license-token", "x-purchase-token"]);
    assert.ok(operation.responses["200"] && operation.responses["422"] && operation.responses["503"]);
  });
});
