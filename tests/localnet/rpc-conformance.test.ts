// RPC behaviour as a validator answers it, through unmodified web3.js: `dataSlice` on account
// reads, `simulateTransaction`'s options (sigVerify, replaceRecentBlockhash, accounts after the
// run, an unknown blockhash refused), `getFeeForMessage` of an unknown blockhash, and a landed
// transaction sent again answered with its signature.
import { strict as assert } from "node:assert";
import {
  Keypair,
  LAMPORTS_PER_SOL,
  SystemProgram,
  TransactionMessage,
  VersionedTransaction,
  type PublicKey,
} from "@solana/web3.js";
import bs58 from "bs58";
import { licensePda, pricing, PROGRAM_ID, purchaseLicense } from "@skill-marketplace/sdk";
import { fundedActor, lamports, registerAgentFor, registerSkillFor, startMarketplace, statusAt, type Actor, type Chain } from "../helpers/marketplace.js";

describe("localnet: RPC options as a validator serves them", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  let skill: PublicKey;
  let license: PublicKey;

  before(async () => {
    chain = await startMarketplace();
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    await registerAgentFor(seller, "rpc-seller");
    skill = (await registerSkillFor(seller, { slug: "rpc-skill", pricing: pricing.oneTime(), price: 1_000_000n })).address;
    await purchaseLicense(buyer.program, { buyer: buyer.publicKey, skill: { address: skill, author: seller.publicKey, currency: null }, treasury: chain.treasury.publicKey, maxPrice: 1_000_000n }).rpc();
    license = licensePda(skill, buyer.publicKey);
  });
  after(async () => {
    await chain?.stop();
  });

  const transfer = async (from: Actor, to: PublicKey, amount: number, blockhash?: string) => {
    const recentBlockhash = blockhash ?? (await chain.connection.getLatestBlockhash("confirmed")).blockhash;
    const message = new TransactionMessage({
      payerKey: from.publicKey,
      recentBlockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: amount })],
    }).compileToV0Message();
    return new VersionedTransaction(message);
  };

  it("dataSlice shapes getAccountInfo, getMultipleAccounts and getProgramAccounts answers", async () => {
    const full = (await chain.connection.getAccountInfo(license, "confirmed"))!.data;
    const sliced = (await chain.connection.getAccountInfo(license, { commitment: "confirmed", dataSlice: { offset: 8, length: 32 } }))!;
    assert.deepEqual(sliced.data, full.subarray(8, 40));
    const past = (await chain.connection.getAccountInfo(license, { commitment: "confirmed", dataSlice: { offset: full.length + 10, length: 5 } }))!;
    assert.equal(past.data.length, 0);
    const clipped = (await chain.connection.getAccountInfo(license, { commitment: "confirmed", dataSlice: { offset: full.length - 3, length: 50 } }))!;
    assert.deepEqual(clipped.data, full.subarray(full.length - 3));

    const [a, b] = await chain.connection.getMultipleAccountsInfo([license, skill], { commitment: "confirmed", dataSlice: { offset: 0, length: 8 } });
    assert.deepEqual(a!.data, full.subarray(0, 8));
    assert.equal(b!.data.length, 8);

    const licenses = await chain.connection.getProgramAccounts(PROGRAM_ID, {
      commitment: "confirmed",
      filters: [{ dataSize: full.length }],
      dataSlice: { offset: 0, length: 8 },
    });
    assert.ok(licenses.length >= 1);
    for (const l of licenses) assert.deepEqual(l.account.data, full.subarray(0, 8), "the filter saw the whole account, the answer is the slice");
  });

  it("getFeeForMessage answers null for a blockhash the node does not know", async () => {
    const known = await transfer(buyer, seller.publicKey, 1);
    assert.equal((await chain.connection.getFeeForMessage(known.message, "confirmed")).value, 5_000);
    const unknown = await transfer(buyer, seller.publicKey, 1, bs58.encode(Keypair.generate().publicKey.toBytes()));
    assert.equal((await chain.connection.getFeeForMessage(unknown.message, "confirmed")).value, null);
  });

  it("a transaction that already landed, sent again, is answered with its signature", async () => {
    const tx = await transfer(buyer, seller.publicKey, 7);
    tx.sign([buyer.keypair]);
    const raw = tx.serialize();
    const signature = await chain.connection.sendRawTransaction(raw, { skipPreflight: true });
    await statusAt(chain.connection, signature, "confirmed");
    const sellerAfter = await lamports(chain.connection, seller.publicKey);
    assert.equal(await chain.connection.sendRawTransaction(raw, { skipPreflight: true }), signature);
    assert.equal(await chain.connection.sendRawTransaction(raw), signature);
    assert.equal(await lamports(chain.connection, seller.publicKey), sellerAfter, "it ran once");
  });

  it("simulateTransaction: sigVerify, an unknown blockhash, replaceRecentBlockhash, and accounts after the run", async () => {
    // Wallets simulate before they sign: no signature needed unless sigVerify asks for it.
    const unsigned = await transfer(buyer, seller.publicKey, LAMPORTS_PER_SOL / 10);
    const preview = await chain.connection.simulateTransaction(unsigned, {
      sigVerify: false,
      commitment: "confirmed",
      accounts: { addresses: [buyer.publicKey.toBase58(), seller.publicKey.toBase58(), Keypair.generate().publicKey.toBase58()], encoding: "base64" },
    });
    assert.equal(preview.value.err, null, JSON.stringify(preview.value.logs));
    const [buyerAfter, sellerAfter, nobody] = preview.value.accounts!;
    const buyerNow = await lamports(chain.connection, buyer.publicKey);
    const sellerNow = await lamports(chain.connection, seller.publicKey);
    assert.equal(BigInt(buyerAfter!.lamports), buyerNow - BigInt(LAMPORTS_PER_SOL / 10) - 5_000n);
    assert.equal(BigInt(sellerAfter!.lamports), sellerNow + BigInt(LAMPORTS_PER_SOL / 10));
    assert.equal(nobody, null);
    assert.equal(await lamports(chain.connection, buyer.publicKey), buyerNow, "a simulation changes nothing");

    const verified = await chain.connection.simulateTransaction(unsigned, { sigVerify: true, commitment: "confirmed" });
    assert.equal(verified.value.err, "SignatureFailure");

    const stale = await transfer(buyer, seller.publicKey, 1, bs58.encode(Keypair.generate().publicKey.toBytes()));
    assert.equal((await chain.connection.simulateTransaction(stale, { commitment: "confirmed" })).value.err, "BlockhashNotFound");
    const replaced = await chain.connection.simulateTransaction(stale, { replaceRecentBlockhash: true, commitment: "confirmed" });
    assert.equal(replaced.value.err, null);
    const replacement = (replaced.value as { replacementBlockhash?: { blockhash: string; lastValidBlockHeight: number } }).replacementBlockhash;
    assert.ok(replacement, "the answer names the blockhash it used");
    assert.equal((await chain.connection.isBlockhashValid(replacement.blockhash, { commitment: "processed" })).value, true);
    assert.ok(replacement.lastValidBlockHeight > (await chain.connection.getBlockHeight("processed")));

    await assert.rejects(
      chain.connection.simulateTransaction(stale, { replaceRecentBlockhash: true, sigVerify: true }),
      /sigVerify may not be used with replaceRecentBlockhash/,
    );
  });
});
