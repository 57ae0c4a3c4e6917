// The indexer fed by v0 transactions whose accounts come from an address lookup table (as wallets
// and aggregators send them): purchase, renewal and usage land, and the database it builds is the
// chain, row for row; after the node restarts on its journal, a rebuild from scratch agrees too.
import { strict as assert } from "node:assert";
import type { AddressLookupTableAccount, PublicKey } from "@solana/web3.js";
import pg from "pg";
import { licensePda, purchaseLicense, recordUsage } from "@skill-marketplace/sdk";
import { scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { assertMirrorsChain, indexerEnv, startIndexer, waitCaughtUp, type RunningIndexer } from "../helpers/indexer.js";
import { lookupTableMarket, receiptsRoot, sendV0, startMarketplace, type Actor, type Chain } from "../helpers/marketplace.js";

const PRICE = 2_500_000n;

describe("indexer: v0 transactions with address lookup tables", () => {
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let running: RunningIndexer | undefined;
  let seller: Actor;
  let buyer: Actor;
  let subscription: PublicKey;
  let metered: PublicKey;
  let table: AddressLookupTableAccount;

  before(async () => {
    chain = await startMarketplace({ ledger: true });
    database = await scratchDatabase("indexer_alt");
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on("error", () => undefined); // idle connections are cut when the database is recreated
    ({ seller, buyer, subscription, metered, table } = await lookupTableMarket(chain, {
      agent: "alt-indexed",
      subscriptionSlug: "alt-news",
      usageSlug: "alt-tts",
      price: PRICE,
      unitsPerPurchase: 5,
    }));
    running = await startIndexer(indexerEnv(chain, database.url));
  });
  after(async () => {
    await running?.stop();
    await pool?.end();
    await database?.drop();
    await chain?.stop();
  });

  const purchase = async (skill: PublicKey) =>
    sendV0(
      chain.connection,
      buyer,
      [await purchaseLicense(buyer.program, { buyer: buyer.publicKey, skill: { address: skill, author: seller.publicKey, currency: null }, treasury: chain.treasury.publicKey, maxPrice: PRICE }).instruction()],
      [table],
    );

  it("mirrors purchase, renewal and usage sent through a lookup table", async () => {
    await purchase(subscription);
    await purchase(subscription);
    await purchase(metered);
    const usage = await recordUsage(chain.meter.program, { meterAuthority: chain.meter.publicKey, skill: metered, buyer: buyer.publicKey, units: 2, expectedUsageUsed: 0, receiptsRoot: receiptsRoot(), receiptCount: 1 }).instruction();
    await sendV0(chain.connection, chain.meter, [usage], [table]);
    await waitCaughtUp(pool, chain.connection);
    const counts = await assertMirrorsChain(pool, chain.connection);
    assert.equal(counts.purchases, 3);
    assert.equal(counts.usage, 1);
    const license = (await pool.query("SELECT usage_used FROM licenses WHERE address = $1", [licensePda(metered, buyer.publicKey).toBase58()])).rows[0];
    assert.equal(String(license.usage_used), "2");
  });

  it("after the node restarts on its journal, a rebuild from scratch gives the same database", async () => {
    await running?.stop();
    running = undefined;
    await chain.localnet.restart();
    await database.recreate();
    running = await startIndexer(indexerEnv(chain, database.url));
    await waitCaughtUp(pool, chain.connection);
    const counts = await assertMirrorsChain(pool, chain.connection);
    assert.equal(counts.purchases, 3);
    assert.equal(counts.usage, 1);
  });
});
