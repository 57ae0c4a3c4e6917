// A license's life after the first purchase, through localnet: renewing a subscription and
// topping up a usage license (both are a second purchase of the same skill), usage recorded by
// the meter authority, and a review by the license holder.
import { strict as assert } from "node:assert";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import {
  feeVaultPda,
  eventAuthorityPda,
  eventsNamed,
  licenseKindName,
  licensePda,
  marketplacePda,
  meterPda,
  postReview,
  preparePurchase,
  pricing,
  PROGRAM_ID,
  purchaseLicense,
  recordUsage,
  reviewPda,
  transactionEvents,
} from "@skill-marketplace/sdk";
import {
  actor,
  createUsdc,
  expectAnchorError,
  fundedActor,
  landed,
  lamports,
  mintUsdc,
  receiptsRoot,
  registerAgentFor,
  registerSkillFor,
  SIGNATURE_FEE,
  single,
  startMarketplace,
  tokenBalance,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

const HOUR = 3_600;
const SUBSCRIPTION_PRICE = 10_000_001n; // fee 250_000.025 → 250_001 (rounded up)
const USAGE_PRICE = 5_000_000n; // 5 USDC per 100 units; fee 125_000
const UNITS_PER_PURCHASE = 100;

describe("localnet: renewals, top-ups, usage and reviews", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  let meter: Actor;
  let subscriptionSkill: PublicKey;
  let usageSkill: PublicKey;
  let usdc: Awaited<ReturnType<typeof createUsdc>>;

  before(async () => {
    chain = await startMarketplace();
    meter = actor(chain.connection, chain.meter.keypair);
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    await registerAgentFor(seller, "seller");
    usdc = await createUsdc(chain.connection, chain.admin.keypair, [
      buyer.publicKey,
      seller.publicKey,
      chain.treasury.publicKey,
    ]);
    await mintUsdc(chain.connection, chain.admin.keypair, usdc, usdc.accounts.get(buyer.publicKey.toBase58())!, 50_000_000n);
    subscriptionSkill = (
      await registerSkillFor(seller, { slug: "daily-digest", pricing: pricing.subscription(HOUR), price: SUBSCRIPTION_PRICE })
    ).address;
    usageSkill = (
      await registerSkillFor(seller, {
        slug: "ocr-pages",
        pricing: pricing.usage(UNITS_PER_PURCHASE),
        price: USAGE_PRICE,
        currencyMint: usdc.mint,
      })
    ).address;
  });
  after(async () => {
    await chain?.stop();
  });

  const buySubscription = () =>
    purchaseLicense(buyer.program, {
      buyer: buyer.publicKey,
      skill: { address: subscriptionSkill, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice: SUBSCRIPTION_PRICE,
    }).rpc();

  it("renews a subscription from its current end, paying the exact split again", async () => {
    const first = await landed(chain.connection, await buySubscription());
    const license = licensePda(subscriptionSkill, buyer.publicKey);
    const afterFirst = await buyer.program.account.license.fetch(license);
    assert.equal(licenseKindName(afterFirst.kind), "subscription");
    assert.equal(afterFirst.expiresAt.toNumber(), first.blockTime! + HOUR);
    assert.equal(afterFirst.purchases, 1);

    const [buyerBefore, sellerBefore, treasuryBefore] = await Promise.all([
      lamports(chain.connection, buyer.publicKey),
      lamports(chain.connection, seller.publicKey),
      lamports(chain.connection, feeVaultPda()),
    ]);
    const renewal = await landed(chain.connection, await buySubscription());

    const renewed = await buyer.program.account.license.fetch(license);
    // Still active, so the hour is added to the current end, not to now.
    assert.equal(renewed.expiresAt.toNumber(), afterFirst.expiresAt.toNumber() + HOUR);
    assert.equal(renewed.purchases, 2);
    assert.equal(renewed.purchasedAt.toNumber(), renewal.blockTime);
    assert.ok(renewed.buyer.equals(buyer.publicKey));

    // No rent this time: the license exists.
    assert.equal(await lamports(chain.connection, buyer.publicKey), buyerBefore - SUBSCRIPTION_PRICE - BigInt(SIGNATURE_FEE));
    assert.equal(await lamports(chain.connection, seller.publicKey), sellerBefore + 9_750_000n);
    assert.equal(await lamports(chain.connection, feeVaultPda()), treasuryBefore + 250_001n);

    const event = single(eventsNamed(transactionEvents(renewal), "licensePurchased"));
    assert.equal(event.renewal, true);
    assert.equal(event.purchases, 2);
    assert.equal(event.expiresAt.toNumber(), renewed.expiresAt.toNumber());
    assert.equal(event.reference, null);

    const skill = await buyer.program.account.skill.fetch(subscriptionSkill);
    assert.equal(skill.sales.toNumber(), 2);
    assert.equal(skill.revenue.toString(), (2n * SUBSCRIPTION_PRICE).toString());
  });

  it("tops up a usage license in USDC by buying again", async () => {
    const buyerToken = getAssociatedTokenAddressSync(usdc.mint, buyer.publicKey);
    const before = await tokenBalance(chain.connection, buyerToken);
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: usageSkill })).rpc();
    const license = licensePda(usageSkill, buyer.publicKey);
    const bought = await buyer.program.account.license.fetch(license);
    assert.equal(licenseKindName(bought.kind), "usage");
    assert.equal(bought.usageLimit.toNumber(), UNITS_PER_PURCHASE);
    assert.equal(bought.expiresAt.toNumber(), 0);

    const topUp = await landed(
      chain.connection,
      await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: usageSkill })).rpc(),
    );
    const toppedUp = await buyer.program.account.license.fetch(license);
    assert.equal(toppedUp.usageLimit.toNumber(), 2 * UNITS_PER_PURCHASE);
    assert.equal(toppedUp.usageUsed.toNumber(), 0);
    assert.equal(toppedUp.purchases, 2);
    assert.equal(await tokenBalance(chain.connection, buyerToken), before - 2n * USAGE_PRICE);
    const event = single(eventsNamed(transactionEvents(topUp), "licensePurchased"));
    assert.equal(event.renewal, true);
    assert.equal(event.usageLimit.toNumber(), 200);
    assert.equal(event.feeAmount.toNumber(), 125_000);
  });

  it("records usage signed by a meter authority, once per batch, never beyond the limit", async () => {
    const license = licensePda(usageSkill, buyer.publicKey);
    const root = receiptsRoot();
    const skillBefore = await chain.connection.getAccountInfo(usageSkill);
    const batch = (units: number, expectedUsageUsed: number, receiptsRoot = root) =>
      recordUsage(meter.program, { meterAuthority: meter.publicKey, skill: usageSkill, buyer: buyer.publicKey, units, expectedUsageUsed, receiptsRoot, receiptCount: 1 });
    const signature = await batch(30, 0).rpc();
    const used = await buyer.program.account.license.fetch(license);
    assert.equal(used.usageUsed.toNumber(), 30);
    assert.equal(used.usageLimit.toNumber(), 200);
    // Metering never writes the skill: totals are the indexer's.
    assert.deepEqual((await chain.connection.getAccountInfo(usageSkill))?.data, skillBefore?.data);

    const event = single(eventsNamed(transactionEvents(await landed(chain.connection, signature)), "usageRecorded"));
    assert.ok(event.license.equals(license));
    assert.ok(event.buyer.equals(buyer.publicKey));
    assert.ok(event.meterAuthority.equals(meter.publicKey));
    assert.equal(event.units.toNumber(), 30);
    assert.equal(event.usageUsed.toNumber(), 30);
    assert.deepEqual(Buffer.from(event.receiptsRoot), Buffer.from(root));
    assert.equal(event.receiptCount, 1);

    // The same batch sent again (an executor retrying after a lost answer) is refused.
    await expectAnchorError(batch(30, 0).rpc(), "StaleUsage", 6037);
    // 171 more would make 201 of 200.
    await expectAnchorError(batch(171, 30, receiptsRoot()).rpc(), "UsageLimitExceeded", 6024);
    assert.equal((await buyer.program.account.license.fetch(license)).usageUsed.toNumber(), 30);
  });

  it("refuses usage recorded by anyone but a registered meter authority", async () => {
    const license = licensePda(usageSkill, buyer.publicKey);
    const before = await chain.connection.getAccountInfo(license);
    const args = { units: 1, expectedUsageUsed: 30, receiptsRoot: receiptsRoot(), receiptCount: 1 };
    // With no registration of its own.
    await expectAnchorError(
      recordUsage(buyer.program, { meterAuthority: buyer.publicKey, skill: usageSkill, buyer: buyer.publicKey, ...args }).rpc(),
      "AccountNotInitialized",
      3012,
    );
    // With the real meter's registration.
    await expectAnchorError(
      buyer.program.methods
        .recordUsage({ ...args, units: new BN(1), expectedUsageUsed: new BN(30), receiptsRoot: [...args.receiptsRoot] })
        .accountsStrict({
          meterAuthority: buyer.publicKey,
          meter: meterPda(meter.publicKey),
          marketplace: marketplacePda(),
          skill: usageSkill,
          license,
          eventAuthority: eventAuthorityPda(),
          program: PROGRAM_ID,
        })
        .rpc(),
      "UnauthorizedMeter",
      6022,
    );
    assert.deepEqual((await chain.connection.getAccountInfo(license))?.data, before?.data);
  });

  it("lets the license holder post a review, and nobody else", async () => {
    const cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    const signature = await postReview(buyer.program, {
      reviewer: buyer.publicKey,
      skill: subscriptionSkill,
      rating: 4,
      textCid: cid,
    }).rpc();
    const review = await buyer.program.account.review.fetch(reviewPda(subscriptionSkill, buyer.publicKey));
    assert.ok(review.skill.equals(subscriptionSkill));
    assert.ok(review.reviewer.equals(buyer.publicKey));
    assert.equal(review.rating, 4);
    assert.equal(review.textCid, cid);
    assert.equal(review.createdAt.toNumber(), review.updatedAt.toNumber());
    // The rating weighs what the reviewer paid for the license.
    const paid = (await buyer.program.account.license.fetch(licensePda(subscriptionSkill, buyer.publicKey))).paid;
    assert.ok(paid.gtn(0));
    assert.equal(review.weight.toString(), paid.toString());
    const skill = await buyer.program.account.skill.fetch(subscriptionSkill);
    assert.equal(skill.ratingSum.toNumber(), 4);
    assert.equal(skill.ratingCount, 1);
    assert.equal(skill.weightedRatingSum.toString(), paid.muln(4).toString());
    assert.equal(skill.ratingWeight.toString(), paid.toString());
    const event = single(eventsNamed(transactionEvents(await landed(chain.connection, signature)), "reviewPosted"));
    assert.equal(event.rating, 4);
    assert.equal(event.skillRatingCount, 1);

    // Without a license there is no license account to show: Anchor refuses it.
    const stranger = await fundedActor(chain.connection);
    // 3012 is Anchor's own AccountNotInitialized, for the missing license account.
    await expectAnchorError(
      postReview(stranger.program, { reviewer: stranger.publicKey, skill: subscriptionSkill, rating: 1, textCid: cid }).rpc(),
      "AccountNotInitialized",
      3012,
    );
    assert.equal((await chain.connection.getAccountInfo(reviewPda(subscriptionSkill, stranger.publicKey))), null);
    assert.equal((await buyer.program.account.skill.fetch(subscriptionSkill)).ratingCount, 1);
  });
});
