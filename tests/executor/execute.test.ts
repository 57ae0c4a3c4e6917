// One call from license token to signed receipt, against the real node, PostgreSQL, Redis and
// Docker: every refusal happens before a container starts and changes nothing; failed calls are
// not charged; concurrent calls never go past a license's units.
import assert from "node:assert/strict";
import { Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import {
  licensePda,
  licenseTokenClaims,
  marketplacePda,
  preparePurchase,
  pricing,
  provenance,
  registerSkill,
  semver,
  setPaused,
  setSkillActive,
  setSkillSuspension,
  signLicenseToken,
  skillPda,
  verifyReceiptSignature,
} from "@skill-marketplace/sdk";
import { chooseRuntime, Executor, ExecuteError, IMAGE_LABELS, refreshReliability, RUNTIMES, Sandbox, type ExecuteRequest } from "@skill-marketplace/executor";
import { buildFixture, testDocker } from "../helpers/docker.js";
import { redisUrl, scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { COMMIT_SHA, DOCS_CID, fundedActor, IMAGE_DIGEST, registerAgentFor, startMarketplace, type Actor, type Chain } from "../helpers/marketplace.js";
import { join } from "node:path";

const AUDIENCE = "https://market.test";
const FIXTURE = join(import.meta.dirname, "..", "fixtures", "skills", "exec");

describe("executor: license-checked, metered calls", function () {
  this.timeout(300_000);
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let redis: Redis;
  let executor: Executor;
  let seller: Actor;
  let buyer: Actor;
  let stranger: Actor;
  let imageDigest: string;
  let sandbox: Sandbox;
  let runs = 0;
  const docker = testDocker();

  const register = async (slug: string, kind: "usage" | "oneTime" | "subscription", digest = imageDigest) => {
    const p = kind === "usage" ? pricing.usage(10) : kind === "subscription" ? pricing.subscription(3_600) : pricing.oneTime();
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug,
      version: semver("1.2.0"),
      category: "data-analysis",
      pricing: p,
      price: 1_000_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, digest),
    }).rpc();
    return skillPda(seller.publicKey, slug);
  };
  const buy = async (who: Actor, skill: PublicKey) => (await preparePurchase(who.program, { buyer: who.publicKey, skill })).rpc();
  const token = (who: Actor, skill: PublicKey, over: Partial<ReturnType<typeof licenseTokenClaims>> = {}, signer = who) =>
    signLicenseToken({ ...licenseTokenClaims({ license: licensePda(skill, who.publicKey), skill, holder: who.publicKey, audience: AUDIENCE }), ...over }, signer.keypair.secretKey);
  const call = (who: Actor, skill: PublicKey, over: Partial<ExecuteRequest> = {}) =>
    executor.execute({ skill: skill.toBase58(), agentWallet: who.publicKey.toBase58(), token: token(who, skill), endpoint: "count", payload: { text: "one two three" }, ...over });
  const counts = async () => {
    const { rows } = await pool.query("SELECT (SELECT count(*)::int FROM receipts) AS receipts, (SELECT count(*)::int FROM usage_reservations) AS holds");
    return rows[0] as { receipts: number; holds: number };
  };
  /** The call is refused with `code`, before any container starts, and nothing is written. */
  const refused = async (attempt: () => Promise<unknown>, code: string, message?: RegExp) => {
    const before = { ...(await counts()), runs };
    await assert.rejects(attempt, (e: unknown) => {
      assert.ok(e instanceof ExecuteError, String(e));
      assert.equal(e.code, code, e.message);
      if (message) assert.match(e.message, message);
      return true;
    });
    assert.deepEqual({ ...(await counts()), runs }, before, "nothing ran and nothing changed");
  };

  before(async () => {
    chain = await startMarketplace();
    database = await scratchDatabase("executor");
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    redis = new Redis(redisUrl(9));
    await redis.flushdb();
    imageDigest = (await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec:1")).replace(/^sha256:/, "sha256:");
    const { runtime } = await chooseRuntime(docker, RUNTIMES.python.image);
    sandbox = new Sandbox(docker, runtime);
    const run = sandbox.run.bind(sandbox);
    sandbox.run = (...args) => {
      runs++;
      return run(...args);
    };
    executor = new Executor({ connection: chain.connection, pool, redis, docker, sandbox, meter: chain.meter.keypair, audience: AUDIENCE, logger: pino({ level: "silent" }), licenseCacheMs: 0 });
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    stranger = await fundedActor(chain.connection);
    await registerAgentFor(seller, "exec-seller");
  });

  after(async () => {
    await executor?.close();
    redis?.disconnect();
    await pool?.end();
    await database?.drop();
    await chain?.stop();
  });

  it("runs the skill the chain pins and answers with its result and a receipt signed by the meter", async () => {
    const skill = await register("word-count", "usage");
    await buy(buyer, skill);
    const answer = await call(buyer, skill);
    assert.deepEqual(answer.result, { words: 3 });
    const receipt = answer.usage.receipt;
    assert.equal(answer.usage.units, 1);
    assert.equal(receipt.license, licensePda(skill, buyer.publicKey).toBase58());
    assert.equal(receipt.skill, skill.toBase58());
    assert.equal(receipt.version, "1.2.0");
    assert.equal(`sha256:${receipt.imageDigest}`, imageDigest);
    assert.equal(receipt.exitStatus, "ok");
    assert.equal(receipt.meter, chain.meter.publicKey.toBase58());
    assert.ok(verifyReceiptSignature(receipt, receipt.signature));
    assert.ok(!verifyReceiptSignature({ ...receipt, units: 2 }, receipt.signature), "a changed receipt does not verify");
    const { rows } = await pool.query("SELECT id, units, batch_id, signature FROM receipts WHERE id = $1", [receipt.id]);
    assert.deepEqual(rows, [{ id: receipt.id, units: 1, batch_id: null, signature: receipt.signature }]);
    assert.equal((await counts()).holds, 0);
  });

  it("50 concurrent calls on a 10-unit license: exactly 10 succeed, the rest are license_used_up", async () => {
    const skill = await register("ten-units", "usage");
    await buy(buyer, skill);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => call(buyer, skill, { endpoint: "slow", payload: { seconds: 0.2 } })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const codes = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as ExecuteError).code] : []));
    assert.equal(ok.length, 10, JSON.stringify(codes));
    assert.deepEqual([...new Set(codes)], ["license_used_up"]);
    const license = licensePda(skill, buyer.publicKey).toBase58();
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM receipts WHERE license = $1", [license])).rows[0].n, 10);
    assert.equal((await counts()).holds, 0);
    await refused(() => call(buyer, skill), "license_used_up", /0 of 10 units left/);
  });

  it("failed, timed-out and crashed calls consume nothing", async () => {
    const skill = await register("flaky", "usage");
    await buy(buyer, skill);
    const before = await counts();
    for (const [endpoint, outcome] of [["fail", "crashed"], ["spin", "timeout"]] as const) {
      await assert.rejects(call(buyer, skill, { endpoint }), (e: unknown) => {
        assert.ok(e instanceof ExecuteError);
        assert.equal(e.code, "skill_failed");
        assert.equal(e.status, 422);
        assert.equal(e.details.outcome, outcome);
        return true;
      });
    }
    assert.deepEqual(await counts(), before, "no receipt and no hold left");
    // All 10 units are still there.
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(buyer, skill)));
    assert.equal(answers.length, 10);
    await refused(() => call(buyer, skill), "license_used_up");
  });

  it("refuses bad tokens, another agent's key and the wrong skill, each with its own code", async () => {
    const skill = await register("guarded", "oneTime");
    const other = await register("other", "oneTime");
    await buy(buyer, skill);
    await buy(buyer, other);
    await refused(() => call(buyer, skill, { token: undefined }), "license_token_missing");
    // Signed by a stranger in the buyer's name: a forgery.
    await refused(() => call(buyer, skill, { token: token(buyer, skill, {}, stranger) }), "license_token_invalid", /not signed by the holder/);
    await refused(() => call(buyer, skill, { token: token(buyer, skill, { audience: "https://other.test" }) }), "license_token_invalid", /is for https:\/\/other.test/);
    const now = Math.floor(Date.now() / 1000);
    await refused(() => call(buyer, skill, { token: token(buyer, skill, { issuedAt: now - 120, expiresAt: now - 60 }) }), "license_token_invalid", /expired/);
    // A leaked token alone runs nothing: the API key must be the holder's agent.
    await refused(() => call(buyer, skill, { agentWallet: stranger.publicKey.toBase58() }), "license_holder_mismatch");
    // A token for one skill does not open another.
    await refused(() => call(buyer, other, { token: token(buyer, skill) }), "license_skill_mismatch");
    await refused(() => call(buyer, skill, { token: token(buyer, skill, { license: licensePda(other, buyer.publicKey).toBase58() }) }), "license_skill_mismatch");
    // Replay: the first use runs, the second is refused.
    const once = token(buyer, skill);
    await call(buyer, skill, { token: once });
    await refused(() => call(buyer, skill, { token: once }), "license_token_replayed");
    // A stranger with no license, signing honestly.
    await refused(() => call(stranger, skill), "license_not_found");
    await refused(() => call(buyer, skill, { endpoint: "nope" }), "endpoint_unknown", /has no endpoint "nope"/);
  });

  it("refuses a paused marketplace, a delisted or suspended skill, an expired subscription and an image the chain does not name", async () => {
    const skill = await register("stateful", "oneTime");
    await buy(buyer, skill);
    await setPaused(chain.admin.program, { signer: chain.admin.publicKey, paused: true }).rpc();
    await refused(() => call(buyer, skill), "marketplace_paused");
    await setPaused(chain.admin.program, { signer: chain.admin.publicKey, paused: false }).rpc();
    await setSkillActive(seller.program, { author: seller.publicKey, slug: "stateful", active: false }).rpc();
    await refused(() => call(buyer, skill), "skill_inactive");
    await setSkillActive(seller.program, { author: seller.publicKey, slug: "stateful", active: true }).rpc();
    await setSkillSuspension(chain.admin.program, { admin: chain.admin.publicKey, skill, reasonCid: DOCS_CID }).rpc();
    await refused(() => call(buyer, skill), "skill_suspended");
    await setSkillSuspension(chain.admin.program, { admin: chain.admin.publicKey, skill, reasonCid: null }).rpc();
    assert.deepEqual((await call(buyer, skill)).result, { words: 3 });

    // A subscription whose period ended (written through the test node: periods are ≥ 1 hour).
    const subscription = await register("monthly", "subscription");
    await buy(buyer, subscription);
    const address = licensePda(subscription, buyer.publicKey);
    const info = (await chain.connection.getAccountInfo(address, "confirmed"))!;
    const license = buyer.program.coder.accounts.decode("license", info.data);
    const data = await buyer.program.coder.accounts.encode("license", { ...license, expiresAt: new BN(Math.floor(Date.now() / 1000) - 10) });
    const padded = Buffer.concat([data, Buffer.alloc(info.data.length - data.length)]);
    await fetch(chain.localnet.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "setAccount", params: [address.toBase58(), { lamports: info.lamports, owner: info.owner.toBase58(), data: [padded.toString("base64"), "base64"] }] }),
    });
    for (let i = 0; i < 50; i++) {
      const now = await chain.connection.getAccountInfo(address, "confirmed");
      if (now?.data.equals(padded)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await refused(() => call(buyer, subscription), "license_expired", /subscription has expired/);

    // The chain names an image this engine does not have (another build, or a tampered tag).
    const unknown = await register("phantom", "oneTime", IMAGE_DIGEST);
    await buy(buyer, unknown);
    await refused(() => call(buyer, unknown), "image_unavailable", /is not on this executor/);
    assert.ok(marketplacePda());
  });

  it("records every call that ran, and a version's reliability comes from those calls alone", async () => {
    const skill = await register("measured", "usage");
    await buy(buyer, skill);
    for (let i = 0; i < 3; i++) await call(buyer, skill);
    for (const endpoint of ["fail", "spin"]) await assert.rejects(call(buyer, skill, { endpoint }), ExecuteError);
    // Refusals are not the skill's doing: a replayed token and an unknown endpoint record nothing.
    const once = token(buyer, skill);
    await call(buyer, skill, { token: once });
    await assert.rejects(call(buyer, skill, { token: once }), (e: unknown) => (e as ExecuteError).code === "license_token_replayed");
    await assert.rejects(call(buyer, skill, { endpoint: "nope" }), (e: unknown) => (e as ExecuteError).code === "endpoint_unknown");
    const calls = await pool.query<{ outcome: string; receipt_id: string | null; duration_ms: number }>(
      "SELECT outcome, receipt_id, duration_ms FROM skill_calls WHERE skill = $1 ORDER BY created_at",
      [skill.toBase58()],
    );
    assert.deepEqual(calls.rows.map((r) => r.outcome), ["ok", "ok", "ok", "crashed", "timeout", "ok"]);
    // Each successful call points at its receipt; the failed ones have none.
    const receipts = await pool.query<{ id: string; duration_ms: number }>("SELECT id, duration_ms FROM receipts WHERE skill = $1", [skill.toBase58()]);
    assert.deepEqual(
      calls.rows.filter((r) => r.receipt_id).map((r) => r.receipt_id).sort(),
      receipts.rows.map((r) => r.id).sort(),
    );
    assert.deepEqual(calls.rows.filter((r) => r.outcome !== "ok").map((r) => r.receipt_id), [null, null]);

    assert.ok((await refreshReliability(pool)) >= 1);
    const figures = async () =>
      (await pool.query("SELECT calls, successes, timeouts, p50_ms, p95_ms FROM skill_reliability WHERE skill = $1 AND version = '1.2.0'", [skill.toBase58()])).rows[0];
    const okDurations = calls.rows.filter((r) => r.outcome === "ok").map((r) => r.duration_ms).sort((a, b) => a - b);
    // percentile_disc: the smallest value at or above the fraction of the ordered values.
    const disc = (q: number) => okDurations[Math.max(0, Math.ceil(q * okDurations.length) - 1)];
    assert.deepEqual(await figures(), { calls: 6, successes: 4, timeouts: 1, p50_ms: disc(0.5), p95_ms: disc(0.95) });
    // Nothing new: a refresh changes nothing.
    assert.equal(await refreshReliability(pool), 0);

    // The figures cover the last `window` calls only, and older calls are dropped.
    await call(buyer, skill);
    await assert.rejects(call(buyer, skill, { endpoint: "fail" }), ExecuteError);
    assert.equal(await refreshReliability(pool, 3), 1);
    assert.deepEqual(
      { ...(await figures()), p50_ms: null, p95_ms: null },
      { calls: 3, successes: 2, timeouts: 0, p50_ms: null, p95_ms: null },
    );
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM skill_calls WHERE skill = $1", [skill.toBase58()])).rows[0].n, 3);
  });

  it("a skill's own rate per license applies, never above the platform's maximum; 429 before anything runs", async () => {
    const rated = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec-rated:1", { [IMAGE_LABELS.callsPerMinute]: "2" });
    const skill = await register("rated", "usage", rated);
    await buy(buyer, skill);
    await call(buyer, skill);
    await call(buyer, skill);
    await refused(() => call(buyer, skill), "rate_limited", /at most 2 calls per minute per license; retry in \d+ s/);
    // Another license of the same skill has its own count.
    await buy(stranger, skill);
    await call(stranger, skill);

    // A skill asking for more than the platform allows gets the platform's maximum.
    const generous = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec-generous:1", { [IMAGE_LABELS.callsPerMinute]: "1000" });
    const capped = await register("capped", "usage", generous);
    await buy(buyer, capped);
    const strict = new Executor({ connection: chain.connection, pool, redis, docker, sandbox, meter: chain.meter.keypair, audience: AUDIENCE, logger: pino({ level: "silent" }), licenseCacheMs: 0, licenseCallsPerMinute: 1 });
    const strictCall = () => strict.execute({ skill: capped.toBase58(), agentWallet: buyer.publicKey.toBase58(), token: token(buyer, capped), endpoint: "count", payload: {} });
    await strictCall();
    await refused(strictCall, "rate_limited", /at most 1 calls per minute/);

    // A label that is not a number of calls makes the image unusable, with the reason.
    const broken = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec-broken-rate:1", { [IMAGE_LABELS.callsPerMinute]: "lots" });
    const bad = await register("bad-rate", "usage", broken);
    await buy(buyer, bad);
    await refused(() => call(buyer, bad), "image_unavailable", /calls-per-minute must be a whole number of calls above 0, not "lots"/);
  });
});
