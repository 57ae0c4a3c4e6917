// The executor service killed with SIGKILL during a stream of calls, 10 times: afterwards the
// chain's usage equals the receipts (every answered call has one, none is counted twice), the
// killed calls cost nothing, and a restart removes the containers the dead process left.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { fetchAccount, licensePda, licenseTokenClaims, preparePurchase, pricing, provenance, registerSkill, semver, signLicenseToken, skillPda } from "@skill-marketplace/sdk";
import { Settlement } from "@skill-marketplace/executor";
import { DEVELOPMENT_EXECUTOR_SECRET } from "@skill-marketplace/kit";
import { buildFixture, testDocker } from "../helpers/docker.js";
import { redisUrl, scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { freePort } from "../helpers/localnet.js";
import { COMMIT_SHA, DOCS_CID, fundedActor, registerAgentFor, startMarketplace, type Actor, type Chain } from "../helpers/marketplace.js";

const AUDIENCE = "https://market.test";
const FIXTURE = join(import.meta.dirname, "..", "fixtures", "skills", "exec");
const SERVER = join(import.meta.dirname, "..", "..", "executor", "src", "server.ts");

describe("executor: SIGKILL during a stream of calls", function () {
  this.timeout(900_000);
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let buyer: Actor;
  let dir: string;
  const docker = testDocker();

  before(async () => {
    chain = await startMarketplace();
    database = await scratchDatabase("executor_crash");
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    dir = mkdtempSync(join(tmpdir(), "executor-crash-"));
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("10 kills: chain usage = receipts, every answered call has its receipt, no container left", async () => {
    const digest = await buildFixture(docker, FIXTURE, "skill-marketplace-test/exec:1");
    const seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection, 50);
    await registerAgentFor(seller, "crash-seller");
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug: "crash-count",
      version: semver("1.0.0"),
      category: "data-analysis",
      pricing: pricing.usage(10_000),
      price: 1_000_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, digest),
    }).rpc();
    const skill = skillPda(seller.publicKey, "crash-count");
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill })).rpc();
    const license = licensePda(skill, buyer.publicKey);
    const meterFile = join(dir, "meter.json");
    writeFileSync(meterFile, JSON.stringify([...chain.meter.keypair.secretKey]));
    const port = await freePort();
    const env = {
      ...process.env,
      SOLANA_RPC_URL: chain.localnet.rpcUrl,
      SOLANA_WS_URL: chain.localnet.wsUrl,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(13),
      METER_KEYPAIR: meterFile,
      EXECUTOR_PORT: String(port),
      API_PUBLIC_URL: AUDIENCE,
      EXECUTOR_RUNTIME: "runc",
      EXECUTOR_WARM_POOL: "2",
      EXECUTOR_SETTLE_INTERVAL_MS: "100",
      EXECUTOR_SETTLE_MAX_AGE_MS: "0",
      EXECUTOR_LICENSE_CACHE_MS: "0",
      LOG_LEVEL: "silent",
    };
    const answered: string[] = [];
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ["--import", "tsx", SERVER], { env, stdio: ["ignore", "ignore", "inherit"] });
      for (let i = 0; i < 300; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (up) return child;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the executor did not start");
    };
    const callOnce = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/calls`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${DEVELOPMENT_EXECUTOR_SECRET}` },
        body: JSON.stringify({
          skill: skill.toBase58(),
          agentWallet: buyer.publicKey.toBase58(),
          token: signLicenseToken(licenseTokenClaims({ license, skill, holder: buyer.publicKey, audience: AUDIENCE }), buyer.keypair.secretKey),
          endpoint: "slow",
          payload: { seconds: 0.05 },
        }),
      });
      if (res.status === 200) answered.push(((await res.json()) as { usage: { receipt: { id: string } } }).usage.receipt.id);
    };
    for (let round = 0; round < 10; round++) {
      const child = await start();
      let running = true;
      const callers = Array.from({ length: 4 }, async () => {
        while (running) await callOnce().catch(() => undefined);
      });
      await new Promise((r) => setTimeout(r, 500 + Math.floor(Math.random() * 1500)));
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      running = false;
      await Promise.all(callers);
    }
    // One more start reaps what the last one left, then is stopped normally.
    const last = await start();
    const exited = new Promise((r) => last.once("exit", r));
    last.kill("SIGTERM");
    await exited;
    const sandboxes = await docker.listContainers({ all: true, filters: { label: ["skill-marketplace.sandbox=1"] } });
    assert.equal(sandboxes.length, 0, "no sandbox container left");

    await new Settlement({ connection: chain.connection, pool, meter: chain.meter.keypair, logger: pino({ level: "silent" }) }).drain(200);
    const receipts = (await pool.query<{ id: string }>("SELECT id FROM receipts WHERE license = $1", [license.toBase58()])).rows.map((r) => r.id);
    assert.ok(answered.length > 10, `calls answered: ${answered.length}`);
    const stored = new Set(receipts);
    for (const id of answered) assert.ok(stored.has(id), `answered call ${id} has its receipt`);
    const used = Number((await fetchAccount(chain.connection, "license", license, "confirmed"))!.usageUsed.toString());
    assert.equal(used, receipts.length, "chain usage = receipts");
    const landed = Number((await pool.query("SELECT coalesce(sum(units), 0) AS n FROM usage_batches WHERE license = $1 AND status = 'landed'", [license.toBase58()])).rows[0].n);
    assert.equal(landed, receipts.length, "each receipt in one landed batch");
  });
});
