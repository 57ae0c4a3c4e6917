// Purchases the program must refuse, through localnet: Anchor's client decodes each refusal to
// the exact error of the IDL, and nothing changes (no license, no sale, no lamports moved; a
// refused transaction that lands anyway costs its fee and nothing more).
import { strict as assert } from "node:assert";
import { AnchorError } from "@coral-xyz/anchor";
import BN from "bn.js";
import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import {
  eventAuthorityPda,
  feeVaultPda,
  licensePda,
  marketplaceError,
  marketplaceErrorOf,
  marketplacePda,
  pricing,
  PROGRAM_ID,
  purchaseLicense,
} from "@skill-marketplace/sdk";
import {
  expectAnchorError,
  fundedActor,
  landed,
  lamports,
  registerAgentFor,
  registerSkillFor,
  SIGNATURE_FEE,
  startMarketplace,
  statusAt,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

const PRICE = 50_000_000n;

describe("localnet: refused purchases", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  let skill: PublicKey;

  before(async () => {
    chain = await startMarketplace();
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    await registerAgentFor(seller, "seller");
    skill = (await registerSkillFor(seller, { slug: "code-review", pricing: pricing.oneTime(), price: PRICE })).address;
  });
  after(async () => {
    await chain?.stop();
  });

  const purchase = (who: Actor, maxPrice: bigint, reference?: PublicKey) =>
    purchaseLicense(who.program, {
      buyer: who.publicKey,
      skill: { address: skill, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice,
      reference,
    });

  async function snapshot() {
    const [buyerLamports, sellerLamports, treasuryLamports, skillAccount, license] = await Promise.all([
      lamports(chain.connection, buyer.publicKey),
      lamports(chain.connection, seller.publicKey),
      lamports(chain.connection, feeVaultPda()),
      buyer.program.account.skill.fetch(skill),
      chain.connection.getAccountInfo(licensePda(skill, buyer.publicKey)),
    ]);
    return { buyerLamports, sellerLamports, treasuryLamports, sales: skillAccount.sales.toNumber(), license };
  }

  it("refuses a price above the buyer's maximum with PriceAboveMaximum", async () => {
    const before = await snapshot();
    const error = await expectAnchorError(purchase(buyer, PRICE - 1n).rpc(), "PriceAboveMaximum", 6016);
    assert.equal(error.error.errorMessage, marketplaceError("PriceAboveMaximum").msg);
    assert.ok(error.program.equals(buyer.program.programId));
    assert.deepEqual(await snapshot(), before);
    assert.equal(before.license, null);
  });

  it("refuses a seller buying their own skill with CannotBuyOwnSkill", async () => {
    const before = await snapshot();
    await expectAnchorError(purchase(seller, PRICE).rpc(), "CannotBuyOwnSkill", 6015);
    assert.deepEqual(await snapshot(), before);
    assert.equal(await chain.connection.getAccountInfo(licensePda(skill, seller.publicKey)), null);
  });

  it("refuses a writable Solana Pay reference with InvalidReference", async () => {
    const before = await snapshot();
    const reference = Keypair.generate().publicKey;
    const call = buyer.program.methods
      .purchaseLicense({ maxPrice: new BN(PRICE.toString()) })
      .accountsStrict({
        buyer: buyer.publicKey,
        marketplace: marketplacePda(),
        skill,
        seller: seller.publicKey,
        feeVault: feeVaultPda(),
        license: licensePda(skill, buyer.publicKey),
        systemProgram: SystemProgram.programId,
        eventAuthority: eventAuthorityPda(),
        program: PROGRAM_ID,
      })
      .remainingAccounts([{ pubkey: reference, isSigner: false, isWritable: true }])
      .rpc();
    await expectAnchorError(call, "InvalidReference", 6021);
    assert.deepEqual(await snapshot(), before);
  });

  it("records a refused purchase that skipped preflight with its error, charging only the fee", async () => {
    const before = await snapshot();
    const tx = await purchase(buyer, PRICE - 1n).transaction();
    const blockhash = await chain.connection.getLatestBlockhash();
    tx.recentBlockhash = blockhash.blockhash;
    tx.feePayer = buyer.publicKey;
    tx.sign(buyer.keypair);
    const signature = await chain.connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const status = await statusAt(chain.connection, signature);
    assert.deepEqual(status.err, { InstructionError: [0, { Custom: 6016 }] });

    const landedTx = await landed(chain.connection, signature);
    assert.deepEqual(landedTx.meta?.err, { InstructionError: [0, { Custom: 6016 }] });
    assert.equal(landedTx.meta?.fee, SIGNATURE_FEE);
    const refusal = marketplaceErrorOf(landedTx.meta?.err);
    assert.equal(refusal?.name, "PriceAboveMaximum");
    assert.equal(refusal?.instruction, 0);
    const parsed = AnchorError.parse(landedTx.meta?.logMessages ?? []);
    assert.equal(parsed?.error.errorCode.code, "PriceAboveMaximum");
    assert.equal(parsed?.error.errorCode.number, 6016);

    const after = await snapshot();
    assert.equal(after.buyerLamports, before.buyerLamports - BigInt(SIGNATURE_FEE));
    assert.deepEqual({ ...after, buyerLamports: 0n }, { ...before, buyerLamports: 0n });

    const [latest] = await chain.connection.getSignaturesForAddress(buyer.publicKey, { limit: 1 });
    assert.equal(latest?.signature, signature);
    assert.deepEqual(latest?.err, { InstructionError: [0, { Custom: 6016 }] });
  });
});
