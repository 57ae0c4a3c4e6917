// Every JSON-RPC method the README lists as served, called the way clients call it: through
// unmodified web3.js where it has a method (a raw request otherwise), each answer checked for
// the shape and value a validator gives. The list of methods is read from the README, so a method
// added there without a check here (or served without being listed, see rpc::METHODS) fails.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, TransactionMessage, VersionedTransaction } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { rpcCall } from "../helpers/localnet.js";
import { createUsdc, fundedActor, mintUsdc, startMarketplace, statusAt, type Actor, type Chain } from "../helpers/marketplace.js";

function readmeMethods(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("- **JSON-RPC 2.0 over HTTP**");
  const list = readme.slice(readme.indexOf("Methods:", start), readme.indexOf(".", readme.indexOf("Methods:", start)));
  return list.split("`").filter((_, i) => i % 2 === 1);
}

describe("localnet: every served method, as clients call it", () => {
  let chain: Chain;
  let payer: Actor;
  let signature: string;
  let slot: number;
  let usdc: Awaited<ReturnType<typeof createUsdc>>;

  const raw = (method: string, params: unknown[] = []) => rpcCall(chain.localnet.rpcUrl, method, params);

  before(async () => {
    chain = await startMarketplace({ finalityLag: 4 });
    payer = await fundedActor(chain.connection);
    usdc = await createUsdc(chain.connection, payer.keypair, [payer.publicKey]);
    await mintUsdc(chain.connection, payer.keypair, usdc, usdc.accounts.get(payer.publicKey.toBase58())!, 2_000_000n);
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: LAMPORTS_PER_SOL }));
    signature = await chain.connection.sendTransaction(tx, [payer.keypair]);
    slot = (await statusAt(chain.connection, signature, "finalized")).slot;
  });
  after(async () => {
    await chain?.stop();
  });

  const c = () => chain.connection;
  const checks: Record<string, () => Promise<void>> = {
    getVersion: async () => assert.match((await c().getVersion())["solana-core"], /^\d+\.\d+\.\d+/),
    getHealth: async () => assert.equal(await raw("getHealth"), "ok"),
    getGenesisHash: async () => assert.equal(await c().getGenesisHash(), await c().getGenesisHash()),
    getSlot: async () => assert.ok((await c().getSlot("processed")) >= (await c().getSlot("finalized"))),
    getBlockHeight: async () => assert.ok((await c().getBlockHeight("confirmed")) >= slot),
    getTransactionCount: async () => assert.ok((await c().getTransactionCount()) >= 4),
    getEpochInfo: async () => assert.ok((await c().getEpochInfo()).absoluteSlot >= slot),
    getLatestBlockhash: async () => assert.ok((await c().getLatestBlockhash()).lastValidBlockHeight > slot),
    isBlockhashValid: async () => assert.equal((await c().isBlockhashValid((await c().getLatestBlockhash()).blockhash)).value, true),
    getFeeForMessage: async () => {
      const message = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: (await c().getLatestBlockhash()).blockhash, instructions: [] }).compileToV0Message();
      assert.equal((await c().getFeeForMessage(message)).value, 5_000);
    },
    getMinimumBalanceForRentExemption: async () => assert.equal(await c().getMinimumBalanceForRentExemption(0), 890_880),
    getBalance: async () => assert.ok((await c().getBalance(payer.publicKey)) > 0),
    getAccountInfo: async () => assert.ok((await c().getAccountInfo(payer.publicKey))?.owner.equals(SystemProgram.programId)),
    getMultipleAccounts: async () => assert.equal((await c().getMultipleAccountsInfo([payer.publicKey, Keypair.generate().publicKey]))[1], null),
    getProgramAccounts: async () => assert.equal((await c().getProgramAccounts(TOKEN_PROGRAM_ID, { filters: [{ memcmp: { offset: 0, bytes: usdc.mint.toBase58() } }] })).length, 1),
    getTokenAccountBalance: async () => assert.equal((await c().getTokenAccountBalance(usdc.accounts.get(payer.publicKey.toBase58())!)).value.amount, "2000000"),
    getTokenAccountsByOwner: async () => assert.equal((await c().getTokenAccountsByOwner(payer.publicKey, { mint: usdc.mint })).value.length, 1),
    requestAirdrop: async () => {
      const to = Keypair.generate().publicKey;
      await statusAt(c(), await c().requestAirdrop(to, 1_000), "confirmed");
      assert.equal(await c().getBalance(to, "confirmed"), 1_000);
    },
    sendTransaction: async () => {
      const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 1 }));
      const sig = await c().sendTransaction(tx, [payer.keypair]);
      assert.equal((await statusAt(c(), sig, "confirmed")).err, null);
    },
    simulateTransaction: async () => {
      const message = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: (await c().getLatestBlockhash()).blockhash, instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 1 })] }).compileToV0Message();
      assert.equal((await c().simulateTransaction(new VersionedTransaction(message))).value.err, null);
    },
    getSignatureStatuses: async () => assert.equal((await c().getSignatureStatuses([signature])).value[0]?.confirmationStatus, "finalized"),
    getTransaction: async () => assert.equal((await c().getTransaction(signature, { maxSupportedTransactionVersion: 0 }))?.slot, slot),
    getSignaturesForAddress: async () => assert.equal((await c().getSignaturesForAddress(payer.publicKey, { limit: 10 }))[0]?.signature !== undefined, true),
    getBlockTime: async () => assert.ok(((await c().getBlockTime(slot)) ?? 0) > 1_700_000_000),
    getBlock: async () => assert.ok((await c().getBlock(slot, { maxSupportedTransactionVersion: 0 }))?.transactions.some((t) => t.transaction.signatures[0] === signature)),
    getBlocks: async () => assert.ok((await c().getBlocks(slot - 1, slot)).includes(slot)),
    getBlocksWithLimit: async () => assert.deepEqual(await raw("getBlocksWithLimit", [slot, 1]), [slot]),
    getFirstAvailableBlock: async () => assert.equal(await c().getFirstAvailableBlock(), 1),
    minimumLedgerSlot: async () => assert.equal(await c().getMinimumLedgerSlot(), 1),
    getSlotLeader: async () => assert.ok(new PublicKey(await c().getSlotLeader())),
    getRecentPrioritizationFees: async () => assert.ok((await c().getRecentPrioritizationFees()).every((f) => f.prioritizationFee === 0)),
    getSupply: async () => assert.ok((await c().getSupply()).value.total > 0),
    getLargestAccounts: async () => assert.ok((await c().getLargestAccounts()).value.length > 0),
    getTokenSupply: async () => assert.equal((await c().getTokenSupply(usdc.mint)).value.amount, "2000000"),
    getTokenLargestAccounts: async () => assert.equal((await c().getTokenLargestAccounts(usdc.mint)).value[0]?.amount, "2000000"),
    getInflationReward: async () => assert.deepEqual(await c().getInflationReward([payer.publicKey]), [null]),
  };

  it("checks exactly the methods the README lists", () => {
    assert.deepEqual(Object.keys(checks).sort(), readmeMethods().sort());
  });

  for (const method of readmeMethods()) {
    it(method, async () => {
      const check = checks[method];
      assert.ok(check, `no check for ${method}`);
      await check();
    });
  }
});
