// Every event type, through the real parts: localnet drives the marketplace, the indexer (started
// after the deployment, so it backfills first and then follows live logs) projects the events into
// a scratch PostgreSQL database and publishes invalidations on Redis. Each test checks the rows an
// event produced; the last compares the whole database with the chain.
import { strict as assert } from "node:assert";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { ComputeBudgetProgram, Keypair, PublicKey, sendAndConfirmTransaction, Transaction, TransactionInstruction } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import {
  addMeterAuthority,
  agentPda,
  currencyPda,
  deleteReview,
  licensePda,
  marketplacePda,
  meterPda,
  postReview,
  preparePurchase,
  pricing,
  proposeAdmin,
  provenance,
  purchaseLicense,
  removeCurrency,
  reviewPda,
  revokeMeterAuthority,
  semver,
  setPaused,
  setSkillSuspension,
  splitPrice,
  updateMarketplace,
  updateSkill,
} from "@skill-marketplace/sdk";
import { scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { assertMirrorsChain, indexerEnv, startIndexer, waitCaughtUp, waitUntil, type RunningIndexer } from "../helpers/indexer.js";
import {
  actor,
  COMMIT_SHA,
  createUsdc,
  DOCS_CID,
  FEE_BPS,
  fundedActor,
  IMAGE_DIGEST,
  landed,
  mintUsdc,
  meterUsage,
  receiptsRoot,
  registerAgentFor,
  registerSkillFor,
  startMarketplace,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

const REVIEW_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const HOUR = 3_600;

describe("indexer: every event type, backfilled then live", () => {
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let running: RunningIndexer;
  let subscriber: Redis;
  const invalidations: { skills: string[]; licenses: string[] }[] = [];
  let seller: Actor;
  let buyer: Actor;
  let meter: Actor;
  let oneTime: PublicKey;
  let subscription: PublicKey;
  let usage: PublicKey;
  let usdc: Awaited<ReturnType<typeof createUsdc>>;

  const row = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0];
  const caughtUp = () => waitCaughtUp(pool, chain.connection);

  before(async () => {
    chain = await startMarketplace();
    database = await scratchDatabase("indexer_events");
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    meter = actor(chain.connection, chain.meter.keypair);
    await registerAgentFor(seller, "seller");
    const env = indexerEnv(chain, database.url);
    subscriber = new Redis(env.REDIS_URL!);
    await subscriber.subscribe(env.INDEXER_REDIS_CHANNEL!);
    subscriber.on("message", (_channel, message) => invalidations.push(JSON.parse(message)));
    running = await startIndexer(env);
  });

  after(async () => {
    await running?.stop();
    subscriber?.disconnect();
    await pool?.end();
    await database?.drop();
    await chain?.stop();
  });

  it("backfills what happened before it started: the marketplace and the first agent", async () => {
    await caughtUp();
    const marketplace = await row("SELECT * FROM marketplaces");
    assert.equal(marketplace.address, marketplacePda().toBase58());
    assert.equal(marketplace.admin, chain.admin.publicKey.toBase58());
    assert.equal(marketplace.treasury, chain.treasury.publicKey.toBase58());
    assert.equal(marketplace.fee_bps, FEE_BPS);
    assert.equal(marketplace.pauser, chain.admin.publicKey.toBase58());
    assert.equal(marketplace.notice_secs, "0");
    const meterRow = await row("SELECT * FROM meter_authorities");
    assert.deepEqual([meterRow.authority, meterRow.active, meterRow.revoked_at], [chain.meter.publicKey.toBase58(), true, null]);
    const agent = await row("SELECT * FROM agents WHERE wallet = $1", [seller.publicKey.toBase58()]);
    assert.equal(agent.address, agentPda(seller.publicKey).toBase58());
    assert.equal(agent.name, "seller");
    assert.equal(agent.metadata_uri, "https://agents.example/seller.json");
    assert.equal(agent.skills_published, 0);
    assert.ok(running.reports.some((r) => r.phase === "backfill"));
  });

  it("agentRegistered / agentUpdated (live)", async () => {
    await registerAgentFor(buyer, "buyer");
    await buyer.program.methods
      .updateAgent({ name: "buyer-two", metadataUri: "ipfs://buyer-two" })
      .accountsPartial({ wallet: buyer.publicKey, agent: agentPda(buyer.publicKey) })
      .rpc();
    await caughtUp();
    const agent = await row("SELECT * FROM agents WHERE wallet = $1", [buyer.publicKey.toBase58()]);
    assert.equal(agent.name, "buyer-two");
    assert.equal(agent.metadata_uri, "ipfs://buyer-two");
    assert.ok(running.reports.some((r) => r.phase === "live"));
  });

  it("skillRegistered: skills, provenance history, full-text search, skills_published", async () => {
    usdc = await createUsdc(chain.connection, chain.admin.keypair, [buyer.publicKey, seller.publicKey, chain.treasury.publicKey]);
    await mintUsdc(chain.connection, chain.admin.keypair, usdc, usdc.accounts.get(buyer.publicKey.toBase58())!, 100_000_000n);
    oneTime = (await registerSkillFor(seller, { slug: "pdf-extract", pricing: pricing.oneTime(), price: 1_000_003n, category: "documents" })).address;
    subscription = (await registerSkillFor(seller, { slug: "daily-digest", pricing: pricing.subscription(HOUR), price: 10_000_001n })).address;
    usage = (await registerSkillFor(seller, { slug: "ocr-pages", pricing: pricing.usage(100), price: 5_000_000n, currencyMint: usdc.mint })).address;
    await caughtUp();
    const skill = await row("SELECT * FROM skills WHERE address = $1", [oneTime.toBase58()]);
    assert.equal(skill.slug, "pdf-extract");
    assert.equal(skill.version, "1.0.0");
    assert.equal(skill.pricing, "oneTime");
    assert.equal(skill.price, "1000003");
    assert.equal(skill.currency, "SOL");
    assert.equal(skill.docs_cid, DOCS_CID);
    assert.equal(skill.commit_sha, COMMIT_SHA);
    assert.equal(`sha256:${skill.image_digest}`, IMAGE_DIGEST);
    assert.equal((await row("SELECT * FROM skills WHERE address = $1", [usage.toBase58()])).currency, usdc.mint.toBase58());
    assert.equal((await row("SELECT * FROM skills WHERE address = $1", [subscription.toBase58()])).interval_secs, String(HOUR));
    assert.equal((await row("SELECT skills_published FROM agents WHERE wallet = $1", [seller.publicKey.toBase58()])).skills_published, 3);
    assert.equal((await row("SELECT count(*)::int AS n FROM skill_versions WHERE skill = $1", [oneTime.toBase58()])).n, 1);
    const found = await pool.query("SELECT slug FROM skills WHERE search @@ plainto_tsquery('simple', 'pdf documents')");
    assert.deepEqual(found.rows, [{ slug: "pdf-extract" }]);
  });

  it("skillUpdated and skillActiveChanged: new version in the history, delisted and relisted", async () => {
    await seller.program.methods
      .updateSkill({ version: semver("1.1.0"), provenance: provenance(DOCS_CID, "1".repeat(40), IMAGE_DIGEST), price: null, category: "pdf-tools" })
      .accountsPartial({ author: seller.publicKey, skill: oneTime })
      .rpc();
    await seller.program.methods.setSkillActive(false).accountsPartial({ author: seller.publicKey, skill: subscription }).rpc();
    await caughtUp();
    const skill = await row("SELECT * FROM skills WHERE address = $1", [oneTime.toBase58()]);
    assert.equal(skill.version, "1.1.0");
    assert.equal(skill.category, "pdf-tools");
    assert.equal(skill.commit_sha, "1".repeat(40));
    const versions = await pool.query("SELECT version, previous_version, commit_sha FROM skill_versions WHERE skill = $1 ORDER BY slot", [oneTime.toBase58()]);
    assert.deepEqual(versions.rows, [
      { version: "1.0.0", previous_version: null, commit_sha: COMMIT_SHA },
      { version: "1.1.0", previous_version: "1.0.0", commit_sha: "1".repeat(40) },
    ]);
    assert.equal((await row("SELECT active FROM skills WHERE address = $1", [subscription.toBase58()])).active, false);
    await seller.program.methods.setSkillActive(true).accountsPartial({ author: seller.publicKey, skill: subscription }).rpc();
    await caughtUp();
    assert.equal((await row("SELECT active FROM skills WHERE address = $1", [subscription.toBase58()])).active, true);
  });

  it("licensePurchased (SOL, with a Solana Pay reference): purchase with its exact split, license, daily stats, counters", async () => {
    const reference = Keypair.generate().publicKey;
    const signature = await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: oneTime, reference })).rpc();
    await caughtUp();
    const purchase = await row("SELECT * FROM purchases WHERE signature = $1", [signature]);
    const { sellerAmount, feeAmount } = splitPrice(1_000_003n, FEE_BPS);
    assert.equal(purchase.price, "1000003");
    assert.equal(purchase.seller_amount, String(sellerAmount));
    assert.equal(purchase.fee_amount, String(feeAmount));
    assert.equal(purchase.reference, reference.toBase58());
    assert.equal(purchase.currency, "SOL");
    assert.equal(purchase.renewal, false);
    assert.equal(purchase.seller, seller.publicKey.toBase58());
    const license = await row("SELECT * FROM licenses WHERE address = $1", [licensePda(oneTime, buyer.publicKey).toBase58()]);
    assert.equal(license.kind, "oneTime");
    assert.equal(license.purchases, 1);
    const stats = await row("SELECT * FROM skill_daily_stats WHERE skill = $1", [oneTime.toBase58()]);
    assert.equal(stats.sales, 1);
    assert.equal(stats.revenue, "1000003");
    assert.equal(stats.currency, "SOL");
    const skill = await row("SELECT sales, revenue FROM skills WHERE address = $1", [oneTime.toBase58()]);
    assert.deepEqual(skill, { sales: "1", revenue: "1000003" });
  });

  it("licensePurchased renewals and top-ups (SOL subscription, USDC usage)", async () => {
    for (let i = 0; i < 2; i++) await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: subscription })).rpc();
    for (let i = 0; i < 2; i++) await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: usage })).rpc();
    await caughtUp();
    const sub = await row("SELECT * FROM licenses WHERE address = $1", [licensePda(subscription, buyer.publicKey).toBase58()]);
    assert.equal(sub.purchases, 2);
    const renewals = await pool.query("SELECT renewal FROM purchases WHERE skill = $1 ORDER BY slot", [subscription.toBase58()]);
    assert.deepEqual(renewals.rows.map((r) => r.renewal), [false, true]);
    const metered = await row("SELECT * FROM licenses WHERE address = $1", [licensePda(usage, buyer.publicKey).toBase58()]);
    assert.equal(metered.usage_limit, "200");
    const stats = await row("SELECT sum(sales)::int AS sales, sum(revenue)::text AS revenue, min(currency) AS currency FROM skill_daily_stats WHERE skill = $1", [usage.toBase58()]);
    assert.deepEqual(stats, { sales: 2, revenue: "10000000", currency: usdc.mint.toBase58() });
  });

  it("usageRecorded: usage rows with receipt batch roots, license and skill counters, daily units", async () => {
    const receipts = [receiptsRoot(), receiptsRoot()];
    for (const [i, hash] of receipts.entries()) {
      await meterUsage(meter, { skill: usage, buyer: buyer.publicKey, units: 30 + i, root: hash });
    }
    await caughtUp();
    const rows = await pool.query("SELECT units, usage_used, receipts_root, receipt_count, meter_authority FROM usage_events WHERE skill = $1 ORDER BY slot", [usage.toBase58()]);
    const meterKey = meter.publicKey.toBase58();
    assert.deepEqual(rows.rows, [
      { units: "30", usage_used: "30", receipts_root: Buffer.from(receipts[0]!).toString("hex"), receipt_count: 1, meter_authority: meterKey },
      { units: "31", usage_used: "61", receipts_root: Buffer.from(receipts[1]!).toString("hex"), receipt_count: 1, meter_authority: meterKey },
    ]);
    assert.equal((await row("SELECT usage_used FROM licenses WHERE address = $1", [licensePda(usage, buyer.publicKey).toBase58()])).usage_used, "61");
    assert.equal((await row("SELECT usage_units FROM skills WHERE address = $1", [usage.toBase58()])).usage_units, "61");
    assert.equal((await row("SELECT sum(usage_units)::text AS u FROM skill_daily_stats WHERE skill = $1", [usage.toBase58()])).u, "61");
  });

  it("reviewPosted / reviewUpdated: review row, skill rating, seller reputation", async () => {
    await postReview(buyer.program, { reviewer: buyer.publicKey, skill: subscription, rating: 3, textCid: REVIEW_CID }).rpc();
    await postReview(buyer.program, { reviewer: buyer.publicKey, skill: oneTime, rating: 4, textCid: REVIEW_CID }).rpc();
    await buyer.program.methods
      .updateReview({ rating: 5, textCid: REVIEW_CID })
      .accountsPartial({
        reviewer: buyer.publicKey,
        skill: subscription,
        license: licensePda(subscription, buyer.publicKey),
        review: reviewPda(subscription, buyer.publicKey),
      })
      .rpc();
    await caughtUp();
    const review = await row("SELECT * FROM reviews WHERE address = $1", [reviewPda(subscription, buyer.publicKey).toBase58()]);
    assert.equal(review.rating, 5);
    assert.equal(review.text_cid, REVIEW_CID);
    assert.deepEqual(await row("SELECT rating_sum, rating_count FROM skills WHERE address = $1", [subscription.toBase58()]), { rating_sum: "5", rating_count: 1 });
    // Weighted rating: the subscription review (5) weighs its reviewer's 2 purchases, the one-time (4) weighs 1.
    // Sales 5 (1 + 2 + 2); all 3 skills active; 2 of 3 licenses bought more than once.
    const weighted = (5 * 2 + 4 * 1) / 3;
    const quality = 0.75 + 0.25 * 1 + 0.25 * (2 / 3);
    const reputation = await row("SELECT * FROM seller_reputation WHERE seller = $1", [seller.publicKey.toBase58()]);
    assert.equal(reputation.sales, "5");
    assert.equal(Number(reputation.weighted_rating), Number(weighted.toFixed(6)));
    assert.equal(Number(reputation.repeat_buyer_share), Number((2 / 3).toFixed(6)));
    assert.equal(Number(reputation.quality_multiplier), Number(quality.toFixed(6)));
    assert.ok(Math.abs(Number(reputation.reputation) - weighted * Math.log(6) * quality) < 1e-5);
  });

  it("marketplaceUpdated: settings, admin handover proposal, pause", async () => {
    const next = Keypair.generate().publicKey;
    await updateMarketplace(chain.admin.program, { admin: chain.admin.publicKey, feeBps: 300 }).rpc();
    await proposeAdmin(chain.admin.program, { admin: chain.admin.publicKey, newAdmin: next }).rpc();
    await setPaused(chain.admin.program, { signer: chain.admin.publicKey, paused: true }).rpc();
    await caughtUp();
    assert.deepEqual(await row("SELECT fee_bps, pending_fee_bps, pending_admin, paused FROM marketplaces"), {
      fee_bps: 300,
      pending_fee_bps: null,
      pending_admin: next.toBase58(),
      paused: true,
    });
    // Withdrawn and unpaused again: the cleared proposal is written as NULL, not kept.
    await proposeAdmin(chain.admin.program, { admin: chain.admin.publicKey, newAdmin: null }).rpc();
    await setPaused(chain.admin.program, { signer: chain.admin.publicKey, paused: false }).rpc();
    await caughtUp();
    assert.deepEqual(await row("SELECT pending_admin, paused FROM marketplaces"), { pending_admin: null, paused: false });
  });

  it("licenseClosed: a used-up license is marked closed with its refund", async () => {
    await meterUsage(meter, { skill: usage, buyer: buyer.publicKey, units: 139 });
    await buyer.program.methods.closeLicense().accountsPartial({ buyer: buyer.publicKey, license: licensePda(usage, buyer.publicKey) }).rpc();
    await caughtUp();
    const license = await row("SELECT * FROM licenses WHERE address = $1", [licensePda(usage, buyer.publicKey).toBase58()]);
    assert.equal(license.closed, true);
    assert.equal(license.usage_used, "200");
    assert.ok(Number(license.refunded_lamports) > 0);
  });

  it("meterAuthorityAdded / Revoked, currencyAdded / Removed: rows kept, marked inactive", async () => {
    const operator = Keypair.generate().publicKey;
    await addMeterAuthority(chain.admin.program, { admin: chain.admin.publicKey, authority: operator }).rpc();
    await caughtUp();
    assert.deepEqual(await row("SELECT active, revoked_at FROM meter_authorities WHERE authority = $1", [operator.toBase58()]), { active: true, revoked_at: null });
    await revokeMeterAuthority(chain.admin.program, { admin: chain.admin.publicKey, authority: operator }).rpc();
    await caughtUp();
    const revoked = await row("SELECT address, active, revoked_at FROM meter_authorities WHERE authority = $1", [operator.toBase58()]);
    assert.equal(revoked.address, meterPda(operator).toBase58());
    assert.equal(revoked.active, false);
    assert.ok(revoked.revoked_at instanceof Date);

    const currency = await row("SELECT address, token_program, decimals, active FROM currencies WHERE mint = $1", [usdc.mint.toBase58()]);
    assert.deepEqual(currency, { address: currencyPda(usdc.mint).toBase58(), token_program: TOKEN_PROGRAM_ID.toBase58(), decimals: 6, active: true });
    await removeCurrency(chain.admin.program, { admin: chain.admin.publicKey, mint: usdc.mint }).rpc();
    await caughtUp();
    assert.equal((await row("SELECT active FROM currencies WHERE mint = $1", [usdc.mint.toBase58()])).active, false);
  });

  it("skillSuspensionChanged: suspended with its reason, then lifted (the reason cleared)", async () => {
    await setSkillSuspension(chain.admin.program, { admin: chain.admin.publicKey, skill: oneTime, reasonCid: REVIEW_CID }).rpc();
    await caughtUp();
    assert.deepEqual(await row("SELECT suspended, suspension_cid FROM skills WHERE address = $1", [oneTime.toBase58()]), { suspended: true, suspension_cid: REVIEW_CID });
    await setSkillSuspension(chain.admin.program, { admin: chain.admin.publicKey, skill: oneTime, reasonCid: null }).rpc();
    await caughtUp();
    assert.deepEqual(await row("SELECT suspended, suspension_cid FROM skills WHERE address = $1", [oneTime.toBase58()]), { suspended: false, suspension_cid: null });
  });

  it("reviewDeleted: the row kept and marked, the skill's sums without it", async () => {
    await deleteReview(buyer.program, { reviewer: buyer.publicKey, skill: oneTime }).rpc();
    await caughtUp();
    assert.equal((await row("SELECT deleted FROM reviews WHERE address = $1", [reviewPda(oneTime, buyer.publicKey).toBase58()])).deleted, true);
    assert.deepEqual(await row("SELECT rating_sum, rating_count, weighted_rating_sum, rating_weight FROM skills WHERE address = $1", [oneTime.toBase58()]), {
      rating_sum: "0",
      rating_count: 0,
      weighted_rating_sum: "0",
      rating_weight: "0",
    });
  });

  it("skillUpdated with a notice period: the new version and the price increase wait, with their time", async () => {
    await updateMarketplace(chain.admin.program, { admin: chain.admin.publicKey, noticeSecs: HOUR }).rpc();
    const docs = "bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const signature = await updateSkill(seller.program, {
      author: seller.publicKey,
      slug: "pdf-extract",
      version: semver("3.0.0"),
      provenance: provenance(docs, COMMIT_SHA, IMAGE_DIGEST),
      price: 2_000_000n,
    }).rpc();
    await caughtUp();
    const blockTime = (await landed(chain.connection, signature)).blockTime!;
    const skill = await row("SELECT version, price, pending_version, pending_docs_cid, pending_price, pending_version_at, pending_price_at FROM skills WHERE address = $1", [oneTime.toBase58()]);
    assert.equal(skill.price, "1000003", "buyers keep the current price meanwhile");
    assert.equal(skill.pending_version, "3.0.0");
    assert.equal(skill.pending_docs_cid, docs);
    assert.equal(skill.pending_price, "2000000");
    assert.equal(skill.pending_version_at.getTime(), (blockTime + HOUR) * 1000);
    assert.equal(skill.pending_price_at.getTime(), (blockTime + HOUR) * 1000);
    assert.notEqual(skill.version, "3.0.0");
    const history = await row("SELECT version, docs_cid, effective_at FROM skill_versions WHERE skill = $1 ORDER BY slot DESC LIMIT 1", [oneTime.toBase58()]);
    assert.deepEqual([history.version, history.docs_cid, history.effective_at.getTime()], ["3.0.0", docs, (blockTime + HOUR) * 1000]);
  });

  it("indexes a purchase sent in a transaction padded with log spam (its logs cut by the runtime)", async () => {
    const spammer = await fundedActor(chain.connection);
    const memo = new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
    const memos = Array.from({ length: 45 }, () => new TransactionInstruction({ programId: memo, keys: [], data: Buffer.alloc(0) }));
    const purchase = await purchaseLicense(spammer.program, {
      buyer: spammer.publicKey,
      skill: { address: subscription, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice: 10_000_001n,
    }).instruction();
    const tx = new Transaction().add(ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }), ...memos, purchase);
    const signature = await sendAndConfirmTransaction(chain.connection, tx, [spammer.keypair], { commitment: "confirmed" });
    const logs = (await landed(chain.connection, signature)).meta!.logMessages!;
    assert.ok(logs.includes("Log truncated"), "the runtime cut the logs");
    await caughtUp();
    // 300 bps: the fee marketplaceUpdated set above.
    const purchased = await row("SELECT buyer, paid, fee_amount FROM purchases WHERE signature = $1", [signature]);
    assert.deepEqual(purchased, { buyer: spammer.publicKey.toBase58(), paid: "10000001", fee_amount: splitPrice(10_000_001n, 300).feeAmount.toString() });
    assert.deepEqual((await pool.query("SELECT * FROM dead_letters")).rows, []);
  });

  it("published the changed skill and license ids on Redis after the batches", async () => {
    await waitUntil("invalidations", async () => invalidations.some((m) => m.licenses.includes(licensePda(usage, buyer.publicKey).toBase58())));
    const skills = new Set(invalidations.flatMap((m) => m.skills));
    const licenses = new Set(invalidations.flatMap((m) => m.licenses));
    for (const skill of [oneTime, subscription, usage]) assert.ok(skills.has(skill.toBase58()), `skill ${skill.toBase58()} invalidated`);
    for (const skill of [oneTime, subscription, usage]) assert.ok(licenses.has(licensePda(skill, buyer.publicKey).toBase58()));
  });

  it("ingests at confirmed and promotes rows to finalized", async () => {
    const confirmedOnIngest = running.reports.length > 0;
    assert.ok(confirmedOnIngest);
    await waitUntil("every row finalized", async () => {
      const pending = await row(
        `SELECT (SELECT count(*) FROM purchases WHERE commitment <> 'finalized') + (SELECT count(*) FROM licenses WHERE commitment <> 'finalized')
              + (SELECT count(*) FROM indexed_events WHERE commitment <> 'finalized') AS n`,
      );
      return Number(pending.n) === 0;
    });
    assert.ok(Number((await row("SELECT finalized_slot FROM indexer_cursor")).finalized_slot) > 0);
  });

  it("the database equals the chain (getProgramAccounts and the transaction history)", async () => {
    const counts = await assertMirrorsChain(pool, chain.connection);
    assert.equal(counts.purchases, 6, "five, then the one in the padded transaction");
    assert.equal(counts.usage, 3);
  });
});
