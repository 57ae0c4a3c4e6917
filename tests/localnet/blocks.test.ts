// The RPC methods explorers, block-based indexers and fee estimators use, through unmodified
// web3.js: every block the node produced with its transactions at `confirmed` / `finalized`
// (getBlock in full / signatures form, getBlocks, getBlocksWithLimit, the first available block),
// the slot leader, recent prioritization fees, supply and largest accounts, token supply and
// largest holders, and inflation rewards as a chain without inflation answers them.
import { strict as assert } from "node:assert";
import { ComputeBudgetProgram, Keypair, SystemProgram, TransactionMessage, VersionedTransaction, type PublicKey } from "@solana/web3.js";
import { rpcCall } from "../helpers/localnet.js";
import { createUsdc, fundedActor, mintUsdc, startMarketplace, statusAt, type Actor, type Chain } from "../helpers/marketplace.js";

describe("localnet: blocks, fees and supply", () => {
  let chain: Chain;
  let payer: Actor;
  let receiver: PublicKey;
  let signature: string;
  let slot: number;

  before(async () => {
    chain = await startMarketplace({ finalityLag: 8 });
    payer = await fundedActor(chain.connection);
    receiver = Keypair.generate().publicKey;
    const { blockhash } = await chain.connection.getLatestBlockhash("confirmed");
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash,
      instructions: [
        ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1_234 }),
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: receiver, lamports: 1_000_000 }),
      ],
    }).compileToV0Message();
    const tx = new VersionedTransaction(message);
    tx.sign([payer.keypair]);
    signature = await chain.connection.sendTransaction(tx);
    slot = (await statusAt(chain.connection, signature, "confirmed")).slot;
  });
  after(async () => {
    await chain?.stop();
  });

  const rpc = (method: string, params: unknown[]) => rpcCall(chain.localnet.rpcUrl, method, params);

  it("serves the block a transaction landed in, in full and as signatures, at confirmed then finalized", async () => {
    const block = await chain.connection.getBlock(slot, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    assert.ok(block);
    assert.ok(block.parentSlot < slot);
    assert.notEqual(block.blockhash, block.previousBlockhash);
    const parent = await chain.connection.getBlock(block.parentSlot, { commitment: "confirmed", maxSupportedTransactionVersion: 0, transactionDetails: "none" });
    assert.equal(parent?.blockhash, block.previousBlockhash);
    const mine = block.transactions.find((t) => t.transaction.signatures[0] === signature);
    assert.ok(mine, "the block holds the transaction");
    assert.equal(mine.version, 0);
    assert.equal(mine.meta?.err, null);
    assert.equal(mine.meta?.fee, 5_000);

    const signatures = (await rpc("getBlock", [slot, { commitment: "confirmed", maxSupportedTransactionVersion: 0, transactionDetails: "signatures" }])) as { signatures: string[]; transactions?: unknown };
    assert.ok(signatures.signatures.includes(signature));
    assert.equal(signatures.transactions, undefined);
    const accounts = await chain.connection.getBlock(slot, { commitment: "confirmed", maxSupportedTransactionVersion: 0, transactionDetails: "accounts" });
    type Listed = { transaction: { signatures: string[]; accountKeys: { pubkey: PublicKey; signer: boolean; writable: boolean }[] } };
    const listed = (accounts?.transactions as unknown as Listed[] | undefined)?.find((t) => t.transaction.signatures[0] === signature);
    const keyRows = (rows: [string, boolean, boolean][]) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(
      keyRows(listed!.transaction.accountKeys.map((k) => [k.pubkey.toBase58(), k.signer, k.writable])),
      keyRows([
        [payer.publicKey.toBase58(), true, true],
        [receiver.toBase58(), false, true],
        [SystemProgram.programId.toBase58(), false, false],
        [ComputeBudgetProgram.programId.toBase58(), false, false],
      ]),
    );
    // Like a validator: a client that cannot read v0 transactions is told so.
    await assert.rejects(chain.connection.getBlock(slot, { commitment: "confirmed" }), /Transaction version \(0\) is not supported/);
    // Not yet at finalized (eight slots behind), then there.
    const top = await chain.connection.getSlot("processed");
    await assert.rejects(chain.connection.getBlock(top, { commitment: "finalized", maxSupportedTransactionVersion: 0 }), /Block not available for slot/);
    await statusAt(chain.connection, signature, "finalized");
    assert.equal((await chain.connection.getBlock(slot, { maxSupportedTransactionVersion: 0 }))?.blockhash, block.blockhash);
  });

  it("lists every block produced: getBlocks, getBlocksWithLimit, the first available block", async () => {
    while ((await chain.connection.getSlot("confirmed")) < slot + 5) await new Promise((r) => setTimeout(r, 50));
    const first = await chain.connection.getFirstAvailableBlock();
    assert.equal(first, 1);
    assert.equal(await chain.connection.getMinimumLedgerSlot(), first);
    const blocks = await chain.connection.getBlocks(slot - 3, slot + 2, "confirmed");
    assert.deepEqual(blocks, [slot - 3, slot - 2, slot - 1, slot, slot + 1, slot + 2].filter((s) => s >= 1));
    const limited = await chain.connection.getBlocks(first, undefined, "confirmed");
    assert.ok(limited.includes(slot));
    assert.deepEqual(await rpc("getBlocksWithLimit", [slot, 5, { commitment: "confirmed" }]), [slot, slot + 1, slot + 2, slot + 3, slot + 4]);
  });

  it("slot leader, recent prioritization fees, supply and largest accounts, inflation rewards", async () => {
    const leader = await chain.connection.getSlotLeader();
    assert.match(leader, /^[1-9A-HJ-NP-Za-km-z]{32,44}$/);

    const fees = await chain.connection.getRecentPrioritizationFees({ lockedWritableAccounts: [receiver] });
    assert.ok(fees.length > 0 && fees.length <= 150);
    assert.equal(fees.find((f) => f.slot === slot)?.prioritizationFee, 1_234);
    assert.ok(fees.filter((f) => f.slot !== slot).every((f) => f.prioritizationFee === 0), "no other block touched the receiver");

    const supply = (await chain.connection.getSupply({ commitment: "confirmed" })).value;
    assert.equal(supply.circulating, supply.total);
    assert.equal(supply.nonCirculating, 0);
    const largest = (await chain.connection.getLargestAccounts({ commitment: "confirmed" })).value;
    assert.ok(largest.length > 0 && largest.length <= 20);
    for (let i = 1; i < largest.length; i++) assert.ok(largest[i - 1]!.lamports >= largest[i]!.lamports);
    assert.ok(largest[0]!.lamports <= supply.total);
    assert.deepEqual((await chain.connection.getLargestAccounts({ filter: "nonCirculating" })).value, []);

    assert.deepEqual(await chain.connection.getInflationReward([payer.publicKey, receiver]), [null, null]);
  });

  it("token supply and largest holders of a mint", async () => {
    const other = Keypair.generate().publicKey;
    const usdc = await createUsdc(chain.connection, payer.keypair, [payer.publicKey, other]);
    await mintUsdc(chain.connection, payer.keypair, usdc, usdc.accounts.get(payer.publicKey.toBase58())!, 5_000_000n);
    await mintUsdc(chain.connection, payer.keypair, usdc, usdc.accounts.get(other.toBase58())!, 7_250_000n);
    const supply = (await chain.connection.getTokenSupply(usdc.mint, "confirmed")).value;
    assert.equal(supply.amount, "12250000");
    assert.equal(supply.decimals, 6);
    assert.equal(supply.uiAmountString, "12.25");
    const holders = (await chain.connection.getTokenLargestAccounts(usdc.mint, "confirmed")).value;
    assert.deepEqual(
      holders.map((h) => [h.address.toBase58(), h.amount]),
      [
        [usdc.accounts.get(other.toBase58())!.toBase58(), "7250000"],
        [usdc.accounts.get(payer.publicKey.toBase58())!.toBase58(), "5000000"],
      ],
    );
  });
});
