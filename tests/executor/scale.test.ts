// The scale path on one machine: two api processes and two executor processes (server.ts each, as a deployment
// runs them behind one URL) on one PostgreSQL, one Redis and one chain, with the real indexer. Limits, caches and
// metering hold across them: a key's rate limit is one budget whichever api answers; a usage license's units are
// spent once whichever executor runs the call (no unit sold twice, every call settled on chain once); the
// per-license calls-per-minute is one count across executors; what one api caches, an indexed change drops on both.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import pg from "pg";
import { fetchAccount, licensePda, licenseTokenClaims, preparePurchase, pricing, provenance, registerSkill, semver, signLicenseToken, skillPda } from "@skill-marketplace/sdk";
import { registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { buildFixture, testDocker } from "../helpers/docker.js";
import { waitUntil } from "../helpers/indexer.js";
import { freePort } from "../helpers/localnet.js";
import { actor, airdrop, registerAgentFor, type Actor } from "../helpers/marketplace.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "skills", "exec");
const DOCS_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const COMMIT_SHA = "ab".repeat(20);
/** A key's requests per window, across both apis. */
const KEY_LIMIT = 40;
/** Calls per minute per license the rate-limited skill allows (its image's label), across both executors. */
const CALLS_PER_MINUTE = 4;

describe("scale: two api and two executor processes on one database, Redis and chain", function () {
  this.timeout(600_000);
  const docker = testDocker();
  const scratch = mkdtempSync(join(tmpdir(), "scale-"));
  const children: ChildProcess[] = [];
  let api: TestApi;
  let pool: pg.Pool;
  let seller: Actor;
  let buyer: Actor;
  let apiKey: string;
  let digest: string;
  let limitedDigest: string;
  const apis: string[] = [];

  const spawnService = async (script: string, port: number, env: Record<string, string>, health: string) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], { env: { ...process.env, ...env, LOG_LEVEL: "warn" }, stdio: ["ignore", "inherit", "inherit"] });
    children.push(child);
    await waitUntil(`${script} on ${port}`, () => fetch(`http://127.0.0.1:${port}${health}`).then((r) => (r.ok ? true : undefined), () => undefined), 120_000);
  };
  const register = async (slug: string, units: number, image = digest) => {
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug,
      version: semver("1.0.0"),
      category: "analysis",
      pricing: pricing.usage(units),
      price: 1_000_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, image),
    }).rpc();
    const skill = skillPda(seller.publicKey, slug);
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill })).rpc();
    return skill;
  };
  /** One call through api `i` (each relays to its own executor). */
  const call = (i: number, skill: PublicKey) =>
    fetch(`${apis[i]}/skills/${skill.toBase58()}/execute`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        "x-license-token": signLicenseToken(
          licenseTokenClaims({ license: licensePda(skill, buyer.publicKey), skill, holder: buyer.publicKey, audience: api.config.API_PUBLIC_URL }),
          buyer.keypair.secretKey,
        ),
      },
      body: JSON.stringify({ endpoint: "count", payload: { text: "one two three" } }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: string }; usage?: { receipt: { id: string } } } }));

  before(async () => {
    api = await startApi({ RATE_LIMIT_PER_IP: "100000" }, { indexer: true });
    pool = new pg.Pool({ connectionString: api.databaseUrl, max: 2 });
    digest = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec:1");
    limitedDigest = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec-limited:1", { "skill-marketplace.calls-per-minute": String(CALLS_PER_MINUTE) });
    const meterFile = join(scratch, "meter.json");
    writeFileSync(meterFile, JSON.stringify([...api.chain.meter.keypair.secretKey]));
    const shared = {
      DATABASE_URL: api.databaseUrl,
      REDIS_URL: api.config.REDIS_URL,
      SOLANA_RPC_URL: api.config.SOLANA_RPC_URL,
      SOLANA_WS_URL: api.config.SOLANA_WS_URL ?? "",
      API_PUBLIC_URL: api.config.API_PUBLIC_URL,
      INDEXER_REDIS_CHANNEL: api.config.INDEXER_REDIS_CHANNEL,
    };
    const executorPorts = [await freePort(), await freePort()];
    await Promise.all(
      executorPorts.map((port) =>
        spawnService(
          "executor/src/server.ts",
          port,
          {
            ...shared,
            EXECUTOR_PORT: String(port),
            METER_KEYPAIR: meterFile,
            EXECUTOR_LICENSE_CACHE_MS: "0",
            EXECUTOR_WARM_POOL: "0",
            EXECUTOR_SETTLE_INTERVAL_MS: "500",
            EXECUTOR_SETTLE_MAX_AGE_MS: "0",
            EXECUTOR_X402: "off",
          },
          "/health",
        ),
      ),
    );
    for (const port of executorPorts) {
      const apiPort = await freePort();
      await spawnService(
        "api/src/server.ts",
        apiPort,
        {
          ...shared,
          API_PORT: String(apiPort),
          EXECUTOR_URL: `http://127.0.0.1:${port}`,
          IPFS_BLOCKSTORE_DIR: api.config.IPFS_BLOCKSTORE_DIR,
          RATE_LIMIT_PER_KEY: String(KEY_LIMIT),
          // One window for the whole test: no boundary to reset the count halfway.
          RATE_LIMIT_WINDOW_SECONDS: "3600",
          RATE_LIMIT_PER_IP: "100000",
        },
        "/api/v1/health",
      );
      apis.push(`http://127.0.0.1:${apiPort}/api/v1`);
    }
    seller = actor(api.chain.connection, Keypair.generate());
    buyer = actor(api.chain.connection, Keypair.generate());
    await airdrop(api.chain.connection, seller.publicKey, 10e9);
    await airdrop(api.chain.connection, buyer.publicKey, 10e9);
    await registerAgentFor(seller, "scale-seller");
    apiKey = (await registerAgent(api, buyer.keypair)).apiKey;
  });

  after(async () => {
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : (c.once("exit", resolve), c.kill("SIGTERM"))))));
    await pool?.end();
    await api?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("a usage license's units are spent once across both executors: 8 units, 12 calls at once through both apis → 8 answers, 4 refusals, 8 units on chain once", async () => {
    const skill = await register("scale-units", 8);
    const license = licensePda(skill, buyer.publicKey);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i % 2, skill)));
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    assert.equal(ok.length, 8, JSON.stringify(answers.map((a) => [a.status, a.body.error?.code])));
    assert.deepEqual([...new Set(refused.map((a) => `${a.status} ${a.body.error?.code}`))], ["403 license_used_up"]);
    // Every answer a distinct receipt; the chain counts each unit once, as settled by whichever executor ran it.
    assert.equal(new Set(ok.map((a) => a.body.usage!.receipt.id)).size, 8);
    await waitUntil("8 units on chain", async () => {
      const account = await fetchAccount(api.chain.connection, "license", license, "confirmed");
      return account && Number(account.usageUsed.toString()) === 8 ? true : undefined;
    }, 60_000);
    const receipts = await pool.query("SELECT count(*)::int AS n, count(DISTINCT batch_id)::int AS batches, bool_and(batch_id IS NOT NULL) AS batched FROM receipts WHERE license = $1", [license.toBase58()]);
    assert.equal(receipts.rows[0].n, 8);
    assert.equal(receipts.rows[0].batched, true);
    // The outbox agrees once each executor has seen its batches land: 8 units landed in all, none counted twice.
    const batches = await waitUntil("every batch marked landed", async () => {
      const rows = (await pool.query("SELECT status, units FROM usage_batches WHERE license = $1", [license.toBase58()])).rows as { status: string; units: number }[];
      return rows.length > 0 && rows.every((b) => b.status === "landed" || b.status === "failed") ? rows : undefined;
    });
    assert.equal(batches.filter((b) => b.status === "landed").reduce((a, b) => a + b.units, 0), 8, JSON.stringify(batches));
  });

  it("the calls-per-minute of a license is one count across both executors", async () => {
    const skill = await register("scale-rate", 100, limitedDigest);
    const answers = [];
    for (let i = 0; i < CALLS_PER_MINUTE + 2; i++) answers.push(await call(i % 2, skill));
    assert.deepEqual(
      answers.map((a) => a.status),
      [...Array(CALLS_PER_MINUTE).fill(200), 429, 429],
    );
    assert.deepEqual([...new Set(answers.filter((a) => a.status === 429).map((a) => a.body.error?.code))], ["rate_limited"]);
    const calls = await pool.query("SELECT count(*)::int AS n FROM receipts WHERE license = $1", [licensePda(skill, buyer.publicKey).toBase58()]);
    assert.equal(calls.rows[0].n, CALLS_PER_MINUTE, "a refused call ran nothing");
  });

  it("a key's rate limit is one budget whichever api answers, and a purchase indexed shows on both", async () => {
    // The key has made 18 calls so far (12 + 6 executes, each counted once by the api that took it).
    const before = 18;
    const seen: number[] = [];
    for (let i = 0; i < KEY_LIMIT; i++) {
      const res = await fetch(`${apis[i % 2]}/agents/me/licenses`, { headers: { authorization: `Bearer ${apiKey}` } });
      seen.push(res.status);
      if (res.status === 429) assert.ok(Number(res.headers.get("retry-after")) > 0);
    }
    const admitted = seen.filter((s) => s === 200).length;
    // Never late: at most what is left of the one budget. Early by at most one small lease per instance (each
    // takes a sixteenth of what is left, at least one), and once refused, refused to the end of the window.
    assert.ok(admitted <= KEY_LIMIT - before, `${admitted} admitted: ${seen.join(",")}`);
    assert.ok(admitted >= KEY_LIMIT - before - 2 * Math.ceil(KEY_LIMIT / 16), `${admitted} admitted: ${seen.join(",")}`);
    assert.deepEqual(seen.slice(admitted), Array(seen.length - admitted).fill(429), seen.join(","));
    // Caches: a skill listed after both apis cached the list shows on both once the indexer announces it.
    const list = async (base: string) => ((await (await fetch(`${base}/skills?sort=newest&limit=100`)).json()) as { skills: { slug: string }[] }).skills.map((s) => s.slug);
    for (const base of apis) assert.ok(!(await list(base)).includes("scale-late"));
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug: "scale-late",
      version: semver("1.0.0"),
      category: "analysis",
      pricing: pricing.oneTime(),
      price: 1_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, digest),
    }).rpc();
    for (const base of apis) await waitUntil(`scale-late on ${base}`, async () => ((await list(base)).includes("scale-late") ? true : undefined));
  });
});
