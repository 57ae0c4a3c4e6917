// Restarting localnet on its ledger directory (--ledger DIR): accounts, balances and history
// (getTransaction, getSignaturesForAddress, findReference) survive, the slot goes on from where
// it was, and the restarted node takes new transactions from the same clients.
import { strict as assert } from "node:assert";
import { findReference } from "@solana/pay";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  feeVaultPda,
  eventsNamed,
  licensePda,
  pricing,
  purchaseLicense,
  transactionEvents,
} from "@skill-marketplace/sdk";
import {
  fundedActor,
  landed,
  lamports,
  registerAgentFor,
  registerSkillFor,
  single,
  startMarketplace,
  statusAt,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

describe("localnet: restart on the same ledger", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  let skill: PublicKey;

  before(async () => {
    chain = await startMarketplace({ ledger: true });
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    await registerAgentFor(seller, "seller");
    skill = (await registerSkillFor(seller, { slug: "sql-helper", pricing: pricing.subscription(7_200), price: 7_000_000n }))
      .address;
  });
  after(async () => {
    await chain?.stop();
  });

  it("keeps accounts and history across a restart, and goes on taking transactions", async () => {
    const reference = Keypair.generate().publicKey;
    const purchase = (ref?: PublicKey) =>
      purchaseLicense(buyer.program, {
        buyer: buyer.publicKey,
        skill: { address: skill, author: seller.publicKey, currency: null },
        treasury: chain.treasury.publicKey,
        maxPrice: 7_000_000n,
        reference: ref,
      }).rpc();
    const signature = await purchase(reference);
    await statusAt(chain.connection, signature, "finalized");

    const license = licensePda(skill, buyer.publicKey);
    const before = {
      license: (await chain.connection.getAccountInfo(license))?.data.toString("base64"),
      skill: (await chain.connection.getAccountInfo(skill))?.data.toString("base64"),
      buyer: await lamports(chain.connection, buyer.publicKey),
      seller: await lamports(chain.connection, seller.publicKey),
      treasury: await lamports(chain.connection, feeVaultPda()),
      tx: await landed(chain.connection, signature),
      buyerHistory: await chain.connection.getSignaturesForAddress(buyer.publicKey),
      skillHistory: await chain.connection.getSignaturesForAddress(skill),
      slot: await chain.connection.getSlot("processed"),
      transactionCount: await chain.connection.getTransactionCount(),
    };
    assert.ok(before.license);

    await chain.localnet.restart();

    assert.equal(await chain.connection.getAccountInfo(license).then((a) => a?.data.toString("base64")), before.license);
    assert.equal(
      await chain.connection.getAccountInfo(license, "finalized").then((a) => a?.data.toString("base64")),
      before.license,
    );
    assert.equal(await chain.connection.getAccountInfo(skill).then((a) => a?.data.toString("base64")), before.skill);
    assert.equal(await lamports(chain.connection, buyer.publicKey), before.buyer);
    assert.equal(await lamports(chain.connection, seller.publicKey), before.seller);
    assert.equal(await lamports(chain.connection, feeVaultPda()), before.treasury);

    const tx = await landed(chain.connection, signature);
    assert.equal(tx.slot, before.tx.slot);
    assert.equal(tx.blockTime, before.tx.blockTime);
    assert.deepEqual(tx.meta, before.tx.meta);
    assert.equal(single(eventsNamed(transactionEvents(tx), "licensePurchased")).reference?.toBase58(), reference.toBase58());
    assert.deepEqual(await chain.connection.getSignaturesForAddress(buyer.publicKey), before.buyerHistory);
    assert.deepEqual(await chain.connection.getSignaturesForAddress(skill), before.skillHistory);
    assert.equal((await findReference(chain.connection, reference, { finality: "finalized" })).signature, signature);
    assert.ok((await chain.connection.getSlot("processed")) >= before.slot, "the slot does not go back");
    assert.ok((await chain.connection.getTransactionCount()) >= before.transactionCount);

    // New transactions land after the restart, through the same Connection (its websocket
    // reconnects to the same port).
    const renewal = await landed(chain.connection, await purchase());
    assert.ok(renewal.slot > before.tx.slot);
    const renewed = await buyer.program.account.license.fetch(license);
    assert.equal(renewed.purchases, 2);
    assert.equal(await lamports(chain.connection, seller.publicKey), before.seller + 6_825_000n);
  });
});
