// Events as the indexer will read them, through localnet: backfilled from getSignaturesForAddress
// + getTransaction logs, and followed live with logsSubscribe (Connection.onLogs), both decoded
// by the sdk from inner instructions (the program's self-CPIs). Live and backfilled views must agree.
import { strict as assert } from "node:assert";
import { Keypair, type AccountInfo, type KeyedAccountInfo, type Logs } from "@solana/web3.js";
import {
  accountDiscriminator,
  agentPda,
  decodeAccount,
  eventsNamed,
  feeVaultPda,
  licensePda,
  marketplacePda,
  pricing,
  PROGRAM_ID,
  purchaseLicense,
  skillPda,
  transactionEvents,
  type MarketplaceEvent,
} from "@skill-marketplace/sdk";
import {
  FEE_BPS,
  fundedActor,
  landed,
  registerAgentFor,
  registerSkillFor,
  single,
  startMarketplace,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

/** Plain JSON of decoded events (BN and PublicKey as strings), for deep comparison. */
function plain(events: MarketplaceEvent[]): unknown {
  return JSON.parse(JSON.stringify(events));
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("localnet: events", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  const live: Logs[] = [];
  let subscription: number | undefined;

  before(async () => {
    chain = await startMarketplace();
    subscription = chain.connection.onLogs(PROGRAM_ID, (logs) => live.push(logs), "confirmed");
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
  });
  after(async () => {
    if (subscription !== undefined) await chain.connection.removeOnLogsListener(subscription);
    await chain?.stop();
  });

  it("decodes the deployment's MarketplaceInitialized from getTransaction's inner instructions", async () => {
    const signatures = await chain.connection.getSignaturesForAddress(marketplacePda());
    const oldest = signatures.at(-1);
    assert.ok(oldest);
    const tx = await landed(chain.connection, oldest.signature);
    const initialized = single(eventsNamed(transactionEvents(tx), "marketplaceInitialized"));
    assert.ok(initialized.marketplace.equals(marketplacePda()));
    assert.ok(initialized.admin.equals(chain.admin.publicKey));
    assert.ok(initialized.treasury.equals(chain.treasury.publicKey));
    assert.ok(initialized.pauser.equals(chain.admin.publicKey));
    assert.ok(initialized.feeVault.equals(feeVaultPda()));
    assert.equal(initialized.feeBps, FEE_BPS);
    assert.equal(initialized.slot.toNumber(), tx.slot);
    assert.equal(initialized.timestamp.toNumber(), tx.blockTime);
  });

  it("delivers registration and purchase events live, identical to the backfilled ones", async () => {
    await registerAgentFor(seller, "live-seller");
    const { address: skill } = await registerSkillFor(seller, {
      slug: "translator",
      pricing: pricing.usage(10),
      price: 2_000_000n,
    });
    const reference = Keypair.generate().publicKey;
    const signature = await purchaseLicense(buyer.program, {
      buyer: buyer.publicKey,
      skill: { address: skill, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice: 2_000_000n,
      reference,
    }).rpc();

    const notification = await waitFor("the purchase's logs notification", () => live.find((l) => l.signature === signature));
    assert.equal(notification.err, null);
    // The notification's logs show the event's self-CPI (the program invoking itself, one level down).
    assert.ok(notification.logs.includes(`Program ${PROGRAM_ID.toBase58()} invoke [2]`), notification.logs.join("\n"));
    const liveEvents = transactionEvents(await landed(chain.connection, notification.signature));
    const purchased = single(eventsNamed(liveEvents, "licensePurchased"));
    assert.ok(purchased.license.equals(licensePda(skill, buyer.publicKey)));
    assert.ok(purchased.skill.equals(skill));
    assert.ok(purchased.buyer.equals(buyer.publicKey));
    assert.ok(purchased.seller.equals(seller.publicKey));
    assert.deepEqual(purchased.kind, { usage: {} });
    assert.equal(purchased.currency, null);
    assert.equal(purchased.price.toNumber(), 2_000_000);
    assert.equal(purchased.paid.toNumber(), 2_000_000);
    assert.equal(purchased.sellerAmount.toNumber(), 1_950_000);
    assert.equal(purchased.feeAmount.toNumber(), 50_000);
    assert.equal(purchased.feeBps, FEE_BPS);
    assert.equal(purchased.renewal, false);
    assert.equal(purchased.usageLimit.toNumber(), 10);
    assert.equal(purchased.purchases, 1);
    assert.ok(purchased.reference?.equals(reference));

    // The indexer's backfill sees the same thing.
    const backfilled = transactionEvents(await landed(chain.connection, signature));
    assert.deepEqual(plain(backfilled), plain(liveEvents));
    assert.equal(purchased.slot.toNumber(), (await landed(chain.connection, signature)).slot);

    // Every program transaction so far reached the subscriber, in order, with its events.
    const history = (await chain.connection.getSignaturesForAddress(PROGRAM_ID)).reverse();
    const names: string[] = [];
    for (const { signature: s } of history) {
      names.push(...transactionEvents(await landed(chain.connection, s)).map((e) => e.name));
    }
    assert.deepEqual(names.slice(-3), ["agentRegistered", "skillRegistered", "licensePurchased"]);
    const liveTransactions = await Promise.all(live.filter((l) => l.err === null).map((l) => landed(chain.connection, l.signature)));
    const liveAll = liveTransactions.flatMap((tx) => transactionEvents(tx));
    const agentEvent = single(eventsNamed(liveAll, "agentRegistered").filter((e) => e.wallet.equals(seller.publicKey)));
    assert.ok(agentEvent.agent.equals(agentPda(seller.publicKey)));
    assert.equal(agentEvent.name, "live-seller");
    const skillEvent = single(eventsNamed(liveAll, "skillRegistered"));
    assert.ok(skillEvent.skill.equals(skillPda(seller.publicKey, "translator")));
    assert.deepEqual(skillEvent.pricing, { usage: { unitsPerPurchase: skillEvent.pricing.usage?.unitsPerPurchase } });
    assert.equal(skillEvent.pricing.usage?.unitsPerPurchase.toNumber(), 10);
  });

  it("reads the purchase with getParsedTransaction (jsonParsed), as explorers and wallets do", async () => {
    const skill = skillPda(seller.publicKey, "translator");
    const [latest] = await chain.connection.getSignaturesForAddress(licensePda(skill, buyer.publicKey), { limit: 1 });
    assert.ok(latest);
    const parsed = await chain.connection.getParsedTransaction(latest.signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    assert.ok(parsed);
    const keys = parsed.transaction.message.accountKeys;
    assert.ok(keys[0]?.pubkey.equals(buyer.publicKey));
    assert.equal(keys[0]?.signer, true);
    assert.equal(keys[0]?.writable, true);
    const programInstruction = parsed.transaction.message.instructions[0];
    assert.ok(programInstruction?.programId.equals(PROGRAM_ID));
    assert.deepEqual(parsed.meta?.logMessages, (await landed(chain.connection, latest.signature)).meta?.logMessages);
  });

  it("notifies account, program-account and slot changes live", async () => {
    const skill = skillPda(seller.publicKey, "translator");
    const other = await fundedActor(chain.connection);
    const skillUpdates: AccountInfo<Buffer>[] = [];
    const licenseUpdates: KeyedAccountInfo[] = [];
    const slots: number[] = [];
    const subscriptions = [
      chain.connection.onAccountChange(skill, (info) => skillUpdates.push(info), { commitment: "confirmed" }),
      chain.connection.onProgramAccountChange(PROGRAM_ID, (info) => licenseUpdates.push(info), {
        commitment: "confirmed",
        filters: [{ memcmp: { offset: 0, bytes: accountDiscriminator("license").toString("base64"), encoding: "base64" } }],
      }),
      chain.connection.onSlotChange((info) => slots.push(info.slot)),
    ];
    try {
      // Let the subscriptions be established before the change they should see.
      await waitFor("a slot notification", () => (slots.length > 0 ? true : undefined));
      await purchaseLicense(other.program, {
        buyer: other.publicKey,
        skill: { address: skill, author: seller.publicKey, currency: null },
        treasury: chain.treasury.publicKey,
        maxPrice: 2_000_000n,
      }).rpc();
      const skillInfo = await waitFor("the skill's account notification", () => skillUpdates.at(-1));
      assert.ok(skillInfo.owner.equals(PROGRAM_ID));
      assert.equal(decodeAccount("skill", skillInfo.data).sales.toNumber(), 2);
      const license = licensePda(skill, other.publicKey);
      const licenseInfo = await waitFor("the new license's program-account notification", () =>
        licenseUpdates.find((u) => u.accountId.equals(license)),
      );
      const decoded = decodeAccount("license", licenseInfo.accountInfo.data);
      assert.ok(decoded.buyer.equals(other.publicKey));
      assert.equal(decoded.usageLimit.toNumber(), 10);
      assert.ok(licenseUpdates.every((u) => !u.accountId.equals(skill)), "the filter keeps skills out");
      assert.ok(slots.length >= 2);
      assert.ok(slots.every((slot, i) => i === 0 || slot > slots[i - 1]!), `slots increase: ${slots.join(",")}`);
    } finally {
      await chain.connection.removeAccountChangeListener(subscriptions[0]!);
      await chain.connection.removeProgramAccountChangeListener(subscriptions[1]!);
      await chain.connection.removeSlotChangeListener(subscriptions[2]!);
    }
  });

  it("notifies failed program transactions too, with their error", async () => {
    const skill = skillPda(seller.publicKey, "translator");
    const tx = await purchaseLicense(buyer.program, {
      buyer: buyer.publicKey,
      skill: { address: skill, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice: 1n,
    }).transaction();
    const blockhash = await chain.connection.getLatestBlockhash();
    tx.recentBlockhash = blockhash.blockhash;
    tx.feePayer = buyer.publicKey;
    tx.sign(buyer.keypair);
    const signature = await chain.connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const notification = await waitFor("the failed purchase's logs notification", () => live.find((l) => l.signature === signature));
    assert.deepEqual(notification.err, { InstructionError: [0, { Custom: 6016 }] });
    assert.deepEqual(transactionEvents(await landed(chain.connection, signature)), []);
    assert.ok(notification.logs.some((line) => line.includes("Error Code: PriceAboveMaximum")));
  });
});
