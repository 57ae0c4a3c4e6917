// Deployment and registrations through localnet: deploy.ts initializes the marketplace (once),
// funds the treasury; agents and skills (priced in SOL and in a USDC-like mint) are registered
// with the sdk's builders and read back decoded.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getMint } from "@solana/spl-token";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { deployMarketplace } from "@skill-marketplace/migrations";
import {
  agentPda,
  feeVaultPda,
  fetchAccount,
  initializeMarketplace,
  marketplacePda,
  meterPda,
  pricing,
  PROGRAM_ID,
  variantOf,
} from "@skill-marketplace/sdk";
import {
  COMMIT_SHA,
  createUsdc,
  DOCS_CID,
  expectAnchorError,
  FEE_BPS,
  fundedActor,
  IMAGE_DIGEST,
  registerAgentFor,
  registerSkillFor,
  startMarketplace,
  type Chain,
} from "../helpers/marketplace.js";

import { startLocalnet } from "../helpers/localnet.js";

const DEPLOY_SCRIPT = fileURLToPath(new URL("../../migrations/deploy.ts", import.meta.url));

/** Runs `tsx migrations/deploy.ts` with `env` on top of a clean environment. */
function runDeployCli(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", DEPLOY_SCRIPT],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("localnet: deploy and registrations", () => {
  let chain: Chain;

  before(async () => {
    chain = await startMarketplace();
  });
  after(async () => {
    await chain?.stop();
  });

  it("deploy.ts initialized the marketplace with the requested configuration", async () => {
    const marketplace = await fetchAccount(chain.connection, "marketplace", marketplacePda(), "confirmed");
    assert.ok(marketplace);
    assert.ok(marketplace.admin.equals(chain.admin.publicKey));
    assert.equal(marketplace.pendingAdmin, null);
    assert.ok(marketplace.pauser.equals(chain.admin.publicKey));
    assert.ok(marketplace.treasury.equals(chain.treasury.publicKey));
    assert.equal(marketplace.feeBps, FEE_BPS);
    assert.equal(marketplace.pendingFee, null);
    assert.equal(marketplace.noticeSecs.toNumber(), 0);
    assert.equal(marketplace.paused, false);
    assert.equal(marketplace.skillCount.toNumber(), 0);
    assert.equal(marketplace.meterCount, 1);
    const meter = await fetchAccount(chain.connection, "meterAuthority", meterPda(chain.meter.publicKey), "confirmed");
    assert.ok(meter?.authority.equals(chain.meter.publicKey));
    // The fee vault holds exactly its rent-exempt minimum: SOL fees of any size land in it.
    const vault = await chain.connection.getAccountInfo(feeVaultPda(), "confirmed");
    assert.ok(vault?.owner.equals(PROGRAM_ID));
    assert.equal(vault!.lamports, await chain.connection.getMinimumBalanceForRentExemption(vault!.data.length));
  });

  it("deploy.ts refuses an admin that is not the program's upgrade authority, and creates nothing", async () => {
    const authority = Keypair.generate();
    const other = await startLocalnet({ upgradeAuthority: authority.publicKey });
    try {
      const connection = new Connection(other.rpcUrl, { commitment: "confirmed", wsEndpoint: other.wsUrl });
      const intruder = await fundedActor(connection, 10);
      await assert.rejects(
        deployMarketplace({ connection, admin: intruder.keypair, treasury: intruder.publicKey, meterAuthorities: [] }),
        new RegExp(`only the program's upgrade authority can initialize the marketplace: it is ${authority.publicKey.toBase58()}, the admin keypair is ${intruder.publicKey.toBase58()}`),
      );
      assert.equal(await connection.getAccountInfo(marketplacePda(), "confirmed"), null);
      assert.equal(await connection.getAccountInfo(feeVaultPda(), "confirmed"), null);
      // Nor by sending initialize_marketplace directly: the program checks the ProgramData itself.
      await expectAnchorError(
        initializeMarketplace(intruder.program, { admin: intruder.publicKey, treasury: intruder.publicKey, feeBps: 0, pauser: intruder.publicKey, noticeSecs: 0 }).rpc(),
        "NotUpgradeAuthority",
        6031,
      );
      assert.equal(await connection.getAccountInfo(marketplacePda(), "confirmed"), null);
    } finally {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await other.stop();
    }
  });

  it("deploy.ts run again changes nothing", async () => {
    const adminBefore = await chain.connection.getBalance(chain.admin.publicKey);
    const result = await deployMarketplace({
      rpcUrl: chain.localnet.rpcUrl,
      wsUrl: chain.localnet.wsUrl,
      admin: chain.admin.keypair,
      feeBps: FEE_BPS,
      treasury: chain.treasury.publicKey,
      meterAuthorities: [chain.meter.publicKey],
      noticeSecs: 0,
    });
    assert.equal(result.initialized, false);
    assert.deepEqual(result.addedMeterAuthorities, []);
    assert.equal(result.initializeSignature, undefined);
    assert.ok(result.marketplace.equals(marketplacePda()));
    assert.equal(await chain.connection.getBalance(chain.admin.publicKey), adminBefore);
  });

  it("deploy.ts refuses a different configuration on an initialized marketplace", async () => {
    await assert.rejects(
      deployMarketplace({
        connection: chain.connection,
        admin: chain.admin.keypair,
        feeBps: 300,
        treasury: Keypair.generate().publicKey,
        meterAuthorities: [chain.meter.publicKey],
        noticeSecs: 0,
      }),
      /already initialized with treasury .* fee 250 bps \(asked 300\)/,
    );
    // Another admin keypair is a difference too (the admin is never changed by a deploy).
    const stranger = Keypair.generate();
    await assert.rejects(
      deployMarketplace({ connection: chain.connection, admin: stranger, feeBps: FEE_BPS, treasury: chain.treasury.publicKey, meterAuthorities: [], noticeSecs: 0 }),
      new RegExp(`already initialized with admin ${chain.admin.publicKey.toBase58()} \\(asked ${stranger.publicKey.toBase58()}\\)`),
    );
  });

  it("deploy.ts as a command: validates its environment, then is idempotent on a live node", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deploy-cli-"));
    try {
      const keypairPath = join(dir, "admin.json");
      writeFileSync(keypairPath, JSON.stringify([...chain.admin.keypair.secretKey]));
      const env = {
        SOLANA_RPC_URL: chain.localnet.rpcUrl,
        SOLANA_WS_URL: chain.localnet.wsUrl,
        ADMIN_KEYPAIR: keypairPath,
        TREASURY: chain.treasury.publicKey.toBase58(),
        METER_AUTHORITY: chain.meter.publicKey.toBase58(),
        NOTICE_SECS: "0",
      };
      const missing = await runDeployCli({ ...env, TREASURY: "" });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /TREASURY: is not set: expected a base58 public key/);
      const badFee = await runDeployCli({ ...env, FEE_BPS: "1001" });
      assert.equal(badFee.code, 2);
      assert.match(badFee.stderr, /FEE_BPS: must be an integer from 0 to 1000/);

      const ok = await runDeployCli(env);
      assert.equal(ok.code, 0, ok.stderr);
      const printed = JSON.parse(ok.stdout) as Record<string, unknown>;
      assert.equal(printed.marketplace, marketplacePda().toBase58());
      assert.equal(printed.initialized, false);
      assert.deepEqual(printed.addedMeterAuthorities, []);
      assert.equal(printed.noticeSecs, 0);
      assert.equal(printed.feeBps, FEE_BPS);
      assert.equal(printed.admin, chain.admin.publicKey.toBase58());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("registers an agent", async () => {
    const seller = await fundedActor(chain.connection);
    const agent = await registerAgentFor(seller, "summarizer-bot");
    assert.ok(agent.equals(agentPda(seller.publicKey)));
    const decoded = await seller.program.account.agent.fetch(agent);
    assert.ok(decoded.wallet.equals(seller.publicKey));
    assert.equal(decoded.name, "summarizer-bot");
    assert.equal(decoded.metadataUri, "https://agents.example/summarizer-bot.json");
    assert.equal(decoded.skillsPublished, 0);
    assert.ok(decoded.registeredAt.toNumber() > 1_700_000_000);
  });

  it("registers a skill priced in SOL and one priced in a USDC-like mint", async () => {
    const seller = await fundedActor(chain.connection);
    await registerAgentFor(seller, "seller");
    const usdc = await createUsdc(chain.connection, chain.admin.keypair, []);
    const mint = await getMint(chain.connection, usdc.mint);
    assert.equal(mint.decimals, 6);
    assert.ok(mint.mintAuthority?.equals(usdc.authority.publicKey));

    const sol = await registerSkillFor(seller, {
      slug: "pdf-summarizer",
      pricing: pricing.oneTime(),
      price: 123_456_789n,
    });
    assert.ok(sol.skill.author.equals(seller.publicKey));
    assert.equal(sol.skill.slug, "pdf-summarizer");
    assert.deepEqual(sol.skill.version, { major: 1, minor: 0, patch: 0 });
    assert.equal(sol.skill.category, "data-analysis");
    assert.equal(variantOf(sol.skill.pricing), "oneTime");
    assert.equal(sol.skill.price.toString(), "123456789");
    assert.equal(sol.skill.currency, null);
    assert.equal(sol.skill.provenance.docsCid, DOCS_CID);
    assert.equal(Buffer.from(sol.skill.provenance.commitSha).toString("hex"), COMMIT_SHA);
    assert.equal("sha256:" + Buffer.from(sol.skill.provenance.imageDigest).toString("hex"), IMAGE_DIGEST);
    assert.equal(sol.skill.active, true);
    assert.equal(sol.skill.sales.toNumber(), 0);

    const spl = await registerSkillFor(seller, {
      slug: "web-scraper",
      pricing: pricing.subscription(30 * 24 * 3600),
      price: 12_345_678n,
      currencyMint: usdc.mint,
    });
    assert.ok(spl.skill.currency instanceof PublicKey && spl.skill.currency.equals(usdc.mint));
    assert.deepEqual(spl.skill.pricing, { subscription: { intervalSecs: spl.skill.pricing.subscription?.intervalSecs } });
    assert.equal(spl.skill.pricing.subscription?.intervalSecs.toNumber(), 2_592_000);

    const agent = await seller.program.account.agent.fetch(agentPda(seller.publicKey));
    assert.equal(agent.skillsPublished, 2);
    const marketplace = await seller.program.account.marketplace.fetch(marketplacePda());
    assert.equal(marketplace.skillCount.toNumber(), 2);
  });
});
