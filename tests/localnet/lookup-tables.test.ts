// v0 transactions whose accounts come partly from an address lookup table, sent with unmodified
// web3.js: a table created with `recentSlot = await getSlot()` as on a cluster; purchase, renewal
// and usage recorded through it; every loaded account treated like a static one (balances,
// history, account notifications, commitment-aware reads, loadedAddresses); and after a restart
// on the journal the license, the seller's and treasury's credits and the buyer's debit all stand.
import { strict as assert } from "node:assert";
import {
  SystemProgram,
  type AddressLookupTableAccount,
  type PublicKey,
  type TransactionInstruction,
} from "@solana/web3.js";
import { feeVaultPda, licensePda, purchaseLicense, recordUsage, splitPrice } from "@skill-marketplace/sdk";
import {
  FEE_BPS,
  lamports,
  lookupTableMarket,
  receiptsRoot,
  sendV0,
  startMarketplace,
  statusAt,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

const PRICE = 4_000_000n;

describe("localnet: v0 transactions with address lookup tables", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  let subscription: PublicKey;
  let metered: PublicKey;
  let table: AddressLookupTableAccount;
  /** An account subscription a failed test may leave open (web3.js would reconnect to a stopped node forever). */
  let listener: number | undefined;

  before(async () => {
    // A long finality lag, so a read at `finalized` can be caught before it moves.
    chain = await startMarketplace({ ledger: true, finalityLag: 24 });
    // As on a cluster: the table's address derives from a slot the node reports, which must be
    // in SlotHashes when the creation lands.
    ({ seller, buyer, subscription, metered, table } = await lookupTableMarket(chain, {
      agent: "alt-seller",
      subscriptionSlug: "alt-weather",
      usageSlug: "alt-ocr",
      price: PRICE,
      unitsPerPurchase: 10,
    }));
    assert.equal(table.state.addresses.length, 10);
  });
  after(async () => {
    if (listener !== undefined) await chain.connection.removeAccountChangeListener(listener);
    await chain?.stop();
  });

  const send = (payer: Actor, instructions: TransactionInstruction[], tables: AddressLookupTableAccount[]) =>
    sendV0(chain.connection, payer, instructions, tables);

  it("a purchase through a lookup table moves the money and reports every loaded account", async () => {
    const before = {
      buyer: await lamports(chain.connection, buyer.publicKey),
      seller: await lamports(chain.connection, seller.publicKey),
      treasury: await lamports(chain.connection, feeVaultPda()),
    };
    // The set-up finalized first, so a read at `finalized` has a settled "before" to show.
    for (let i = 0; i < 400 && BigInt(await chain.connection.getBalance(seller.publicKey, "finalized")) !== before.seller; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(BigInt(await chain.connection.getBalance(seller.publicKey, "finalized")), before.seller);
    const changes: number[] = [];
    const subscriptionId = chain.connection.onAccountChange(seller.publicKey, (account) => changes.push(account.lamports), "confirmed");
    const ix = await purchaseLicense(buyer.program, {
      buyer: buyer.publicKey,
      skill: { address: subscription, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice: PRICE,
    }).instruction();
    listener = subscriptionId;
    const signature = await send(buyer, [ix], [table]);
    const { feeAmount: fee, sellerAmount } = splitPrice(PRICE, FEE_BPS);

    // Read at `finalized` right away: the loaded accounts have not moved there yet.
    assert.equal(BigInt(await chain.connection.getBalance(seller.publicKey, "finalized")), before.seller);
    assert.equal(BigInt(await chain.connection.getBalance(feeVaultPda(), "finalized")), before.treasury);
    assert.equal(await chain.connection.getAccountInfo(licensePda(subscription, buyer.publicKey), "finalized"), null);

    const tx = await chain.connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    assert.ok(tx?.meta);
    assert.equal(tx.version, 0);
    const loaded = tx.meta.loadedAddresses!;
    const statics = tx.transaction.message.staticAccountKeys.length;
    const keys = [...tx.transaction.message.staticAccountKeys, ...loaded.writable, ...loaded.readonly].map((k) => k.toBase58());
    assert.ok(loaded.writable.length + loaded.readonly.length > 0);
    for (const k of [seller.publicKey, feeVaultPda()]) assert.ok(loaded.writable.some((w) => w.equals(k)), `${k.toBase58()} loaded writable`);
    assert.ok(loaded.readonly.some((r) => r.equals(SystemProgram.programId)) || keys.slice(0, statics).includes(SystemProgram.programId.toBase58()));
    assert.equal(tx.meta.preBalances.length, keys.length);
    assert.equal(tx.meta.postBalances.length, keys.length);
    const delta = (key: PublicKey) => {
      const i = keys.indexOf(key.toBase58());
      return BigInt(tx.meta!.postBalances[i]!) - BigInt(tx.meta!.preBalances[i]!);
    };
    assert.equal(delta(seller.publicKey), sellerAmount);
    assert.equal(delta(feeVaultPda()), fee);

    // The same from the accounts themselves, and in each loaded account's history.
    assert.equal(await lamports(chain.connection, seller.publicKey), before.seller + sellerAmount);
    assert.equal(await lamports(chain.connection, feeVaultPda()), before.treasury + fee);
    const license = licensePda(subscription, buyer.publicKey);
    assert.ok(await chain.connection.getAccountInfo(license, "confirmed"));
    for (const k of [seller.publicKey, feeVaultPda(), license, subscription]) {
      const history = await chain.connection.getSignaturesForAddress(k, { limit: 5 }, "confirmed");
      assert.equal(history[0]?.signature, signature, `history of ${k.toBase58()}`);
    }
    const licenses = await buyer.program.account.license.all();
    assert.ok(licenses.some((l) => l.publicKey.equals(license)), "the license is found by owner");

    for (let i = 0; i < 100 && !changes.includes(Number(before.seller + sellerAmount)); i++) await new Promise((r) => setTimeout(r, 50));
    await chain.connection.removeAccountChangeListener(subscriptionId);
    listener = undefined;
    assert.ok(changes.includes(Number(before.seller + sellerAmount)), `seller notified: ${changes.join(", ")}`);
  });

  it("renewal and usage through the table; a restart on the journal keeps all of it", async () => {
    const purchase = (skill: PublicKey) =>
      purchaseLicense(buyer.program, { buyer: buyer.publicKey, skill: { address: skill, author: seller.publicKey, currency: null }, treasury: chain.treasury.publicKey, maxPrice: PRICE }).instruction();
    const subscriptionLicense = licensePda(subscription, buyer.publicKey);
    const expiresBefore = (await buyer.program.account.license.fetch(subscriptionLicense)).expiresAt.toNumber();
    await send(buyer, [await purchase(subscription)], [table]);
    const renewed = await buyer.program.account.license.fetch(subscriptionLicense);
    assert.equal(renewed.expiresAt.toNumber(), expiresBefore + 3_600);

    await send(buyer, [await purchase(metered)], [table]);
    const usage = await recordUsage(chain.meter.program, { meterAuthority: chain.meter.publicKey, skill: metered, buyer: buyer.publicKey, units: 3, expectedUsageUsed: 0, receiptsRoot: receiptsRoot(), receiptCount: 1 }).instruction();
    const last = await send(chain.meter, [usage], [table]);
    const meteredLicense = licensePda(metered, buyer.publicKey);
    assert.equal((await buyer.program.account.license.fetch(meteredLicense)).usageUsed.toNumber(), 3);

    await statusAt(chain.connection, last, "finalized");
    const snapshot = async () => ({
      buyer: await lamports(chain.connection, buyer.publicKey),
      seller: await lamports(chain.connection, seller.publicKey),
      treasury: await lamports(chain.connection, feeVaultPda()),
      subscription: (await chain.connection.getAccountInfo(subscriptionLicense))?.data.toString("base64"),
      metered: (await chain.connection.getAccountInfo(meteredLicense))?.data.toString("base64"),
      skill: (await chain.connection.getAccountInfo(metered))?.data.toString("base64"),
      sellerHistory: (await chain.connection.getSignaturesForAddress(seller.publicKey)).map((s) => s.signature),
      loaded: (await chain.connection.getTransaction(last, { maxSupportedTransactionVersion: 0, commitment: "confirmed" }))?.meta?.loadedAddresses,
    });
    const before = await snapshot();
    assert.ok(before.subscription && before.metered);

    await chain.localnet.restart();

    assert.deepEqual(await snapshot(), before);
  });
});
