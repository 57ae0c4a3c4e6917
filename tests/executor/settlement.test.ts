// Receipts settled on chain: one record_usage per license per batch; the chain's usage equals the
// successful receipts, each provable against the batch's on-chain root, however often the
// settling process is killed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PublicKey } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import {
  fetchAccount,
  licensePda,
  licenseTokenClaims,
  merkleProof,
  preparePurchase,
  pricing,
  provenance,
  receiptLeaf,
  receiptSettled,
  registerSkill,
  semver,
  signLicenseToken,
  skillPda,
} from "@skill-marketplace/sdk";
import { chooseRuntime, Executor, receiptOf, RECEIPT_COLUMNS, RUNTIMES, Sandbox, Settlement } from "@skill-marketplace/executor";
import { buildFixture, testDocker } from "../helpers/docker.js";
import { redisUrl, scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { COMMIT_SHA, DOCS_CID, fundedActor, registerAgentFor, startMarketplace, type Actor, type Chain } from "../helpers/marketplace.js";

const AUDIENCE = "https://market.test";
const FIXTURE = join(import.meta.dirname, "..", "fixtures", "skills", "exec");

describe("executor: settlement of receipts on chain", function () {
  this.timeout(600_000);
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let redis: Redis;
  let executor: Executor;
  let settlement: Settlement;
  let seller: Actor;
  let buyer: Actor;
  let digest: string;
  const docker = testDocker();
  const logger = pino({ level: "silent" });

  const usageSkill = async (slug: string) => {
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug,
      version: semver("1.0.0"),
      category: "data-analysis",
      pricing: pricing.usage(10),
      price: 1_000_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, digest),
    }).rpc();
    const skill = skillPda(seller.publicKey, slug);
    return skill;
  };
  const buy = async (skill: PublicKey, times = 1) => {
    for (let i = 0; i < times; i++) await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill, maxPrice: 1_000_000 + i })).rpc();
  };
  const call = (skill: PublicKey) =>
    executor.execute({
      skill: skill.toBase58(),
      agentWallet: buyer.publicKey.toBase58(),
      token: signLicenseToken(licenseTokenClaims({ license: licensePda(skill, buyer.publicKey), skill, holder: buyer.publicKey, audience: AUDIENCE }), buyer.keypair.secretKey),
      endpoint: "count",
      payload: { text: "x" },
    });
  const chainUsage = async (skill: PublicKey) => Number((await fetchAccount(chain.connection, "license", licensePda(skill, buyer.publicKey), "confirmed"))!.usageUsed.toString());

  /** Every receipt of `skill`'s license is in a landed batch whose on-chain root its proof reaches. */
  async function everyReceiptProven(skill: PublicKey): Promise<number> {
    const license = licensePda(skill, buyer.publicKey).toBase58();
    const { rows } = await pool.query(`SELECT ${RECEIPT_COLUMNS}, batch_id, batch_index FROM receipts WHERE license = $1`, [license]);
    const batches = new Map<string, { tx_signature: string; status: string }>();
    for (const b of (await pool.query("SELECT id, tx_signature, status FROM usage_batches WHERE license = $1", [license])).rows) batches.set(String(b.id), b);
    for (const row of rows) {
      const batch = batches.get(String(row.batch_id));
      assert.equal(batch?.status, "landed", `receipt ${row.id} is in a landed batch`);
      const members = rows.filter((r) => String(r.batch_id) === String(row.batch_id)).sort((a, b) => a.batch_index - b.batch_index);
      const proof = merkleProof(members.map((r) => receiptLeaf(receiptOf(r))), row.batch_index);
      assert.ok(await receiptSettled(chain.connection, receiptOf(row), proof, batch!.tx_signature), `receipt ${row.id} proven on chain`);
    }
    return rows.length;
  }

  before(async () => {
    chain = await startMarketplace();
    database = await scratchDatabase("settlement");
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    redis = new Redis(redisUrl(11));
    await redis.flushdb();
    digest = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec:1");
    const { runtime } = await chooseRuntime(docker, RUNTIMES.python.image);
    executor = new Executor({ connection: chain.connection, pool, redis, docker, sandbox: new Sandbox(docker, runtime), meter: chain.meter.keypair, audience: AUDIENCE, logger, licenseCacheMs: 0 });
    settlement = new Settlement({ connection: chain.connection, pool, meter: chain.meter.keypair, logger });
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection, 50);
    await registerAgentFor(seller, "settle-seller");
  });

  after(async () => {
    await settlement?.stop();
    await executor?.close();
    redis?.disconnect();
    await pool?.end();
    await database?.drop();
    await chain?.stop();
  });

  it("50 concurrent calls on a 10-unit license: 10 succeed, the chain shows 10 used, and all 10 receipts verify against it", async () => {
    const skill = await usageSkill("settle-ten");
    await buy(skill);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => call(skill)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 10);
    await settlement.drain();
    assert.equal(await chainUsage(skill), 10);
    assert.equal(await everyReceiptProven(skill), 10);
    const batches = (await pool.query("SELECT status, units, expected_usage_used::int AS expected FROM usage_batches")).rows;
    assert.deepEqual(batches, [{ status: "landed", units: 10, expected: 0 }], "one transaction for the ten calls");
    // Once settled, the chain itself says the license is used up.
    await assert.rejects(call(skill), (e: { code?: string; message?: string }) => e.code === "license_used_up" && e.message === "every unit of this license has been used; buy again to top it up");
  });

  it("a batch retried after the chain moved on is refused (StaleUsage) and its receipts land in the next one, once", async () => {
    const skill = await usageSkill("settle-stale");
    await buy(skill);
    for (let i = 0; i < 3; i++) await call(skill);
    // Another meter records a unit first: the batch made before it no longer applies.
    const license = licensePda(skill, buyer.publicKey);
    const builder = new Settlement({ connection: chain.connection, pool, meter: chain.meter.keypair, logger });
    await (builder as unknown as { makeBatch(license: string): Promise<number | null> }).makeBatch(license.toBase58());
    const { meterUsage } = await import("../helpers/marketplace.js");
    await meterUsage(chain.meter, { skill, buyer: buyer.publicKey, units: 1 });
    await settlement.drain();
    const batches = (await pool.query("SELECT status, error, units FROM usage_batches WHERE license = $1 ORDER BY id", [license.toBase58()])).rows;
    assert.deepEqual(batches.map((b) => [b.status, b.error, b.units]), [["failed", "StaleUsage", 3], ["landed", null, 3]]);
    assert.equal(await chainUsage(skill), 4, "3 receipts + the other meter's unit, nothing twice");
    assert.equal(await everyReceiptProven(skill), 3);
  });

  it("SIGKILL of the settling process at random moments, 10 times: the chain's usage equals the receipts, none lost or doubled", async () => {
    const skills = [await usageSkill("crash-a"), await usageSkill("crash-b")];
    for (const s of skills) await buy(s, 3);
    const dir = mkdtempSync(join(tmpdir(), "settle-"));
    const meterFile = join(dir, "meter.json");
    writeFileSync(meterFile, JSON.stringify([...chain.meter.keypair.secretKey]));
    const env = { ...process.env, SOLANA_RPC_URL: chain.localnet.rpcUrl, DATABASE_URL: database.url, METER_KEYPAIR: meterFile, INTERVAL_MS: "10", MAX_RECEIPTS: "3" };
    let calling = true;
    const calls = (async () => {
      let n = 0;
      while (calling && n < 40) {
        await Promise.all(skills.map((s) => call(s)));
        n += 2;
      }
    })();
    try {
      for (let i = 0; i < 10; i++) {
        const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "processes", "settle.ts")], { env, stdio: ["ignore", "pipe", "inherit"] });
        await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 900)));
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    } finally {
      calling = false;
      await calls;
      rmSync(dir, { recursive: true, force: true });
    }
    await settlement.drain(200);
    for (const s of skills) {
      const receipts = await everyReceiptProven(s);
      assert.ok(receipts > 0);
      assert.equal(await chainUsage(s), receipts, "chain usage = successful receipts");
      const landed = (await pool.query("SELECT coalesce(sum(units), 0)::int AS n FROM usage_batches WHERE license = $1 AND status = 'landed'", [licensePda(s, buyer.publicKey).toBase58()])).rows[0].n;
      assert.equal(landed, receipts, "no unit in two landed batches");
    }
  });
});
