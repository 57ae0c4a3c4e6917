// Purchases through localnet, as a wallet would make them from a Solana Pay transaction request:
// SOL and USDC-like SPL, each carrying a reference key that @solana/pay's findReference locates.
// Balances must move exactly: seller price − fee, fee vault (SOL) or treasury (SPL) fee = ceil(price × 250 / 10 000),
// buyer price + transaction fee (+ license rent on a first purchase).
import { strict as assert } from "node:assert";
import { findReference } from "@solana/pay";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  feeVaultPda,
  eventsNamed,
  licenseKindName,
  licensePda,
  preparePurchase,
  pricing,
  purchaseLicense,
  transactionEvents,
} from "@skill-marketplace/sdk";
import {
  createUsdc,
  fundedActor,
  landed,
  lamports,
  mintUsdc,
  registerAgentFor,
  registerSkillFor,
  SIGNATURE_FEE,
  single,
  startMarketplace,
  tokenBalance,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

const SOL_PRICE = 123_456_789n; // fee 3_086_419.725 → 3_086_420 (rounded up)
const USDC_PRICE = 12_345_678n; // 12.345678 USDC; fee 308_641.95 → 308_642 (rounded up)
const LICENSE_ACCOUNT_BYTES = 151; // layout byte, fields, paid and 32 reserved bytes (bench: license_account_bytes)

describe("localnet: purchases with a Solana Pay reference", () => {
  let chain: Chain;
  let seller: Actor;
  let buyer: Actor;
  let solSkill: PublicKey;
  let usdcSkill: PublicKey;
  let usdc: Awaited<ReturnType<typeof createUsdc>>;
  let licenseRent: bigint;

  before(async () => {
    chain = await startMarketplace();
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    await registerAgentFor(seller, "seller");
    await registerAgentFor(buyer, "buyer");
    usdc = await createUsdc(chain.connection, chain.admin.keypair, [
      buyer.publicKey,
      seller.publicKey,
      chain.treasury.publicKey,
    ]);
    await mintUsdc(chain.connection, chain.admin.keypair, usdc, usdc.accounts.get(buyer.publicKey.toBase58())!, 100_000_000n);
    solSkill = (await registerSkillFor(seller, { slug: "pdf-summarizer", pricing: pricing.oneTime(), price: SOL_PRICE })).address;
    usdcSkill = (
      await registerSkillFor(seller, { slug: "web-scraper", pricing: pricing.oneTime(), price: USDC_PRICE, currencyMint: usdc.mint })
    ).address;
    licenseRent = BigInt(await chain.connection.getMinimumBalanceForRentExemption(LICENSE_ACCOUNT_BYTES));
  });
  after(async () => {
    await chain?.stop();
  });

  it("buys in SOL: exact split, license created, found by its reference", async () => {
    const reference = Keypair.generate().publicKey;
    const [buyerBefore, sellerBefore, treasuryBefore] = await Promise.all([
      lamports(chain.connection, buyer.publicKey),
      lamports(chain.connection, seller.publicKey),
      lamports(chain.connection, feeVaultPda()),
    ]);

    const signature = await purchaseLicense(buyer.program, {
      buyer: buyer.publicKey,
      skill: { address: solSkill, author: seller.publicKey, currency: null },
      treasury: chain.treasury.publicKey,
      maxPrice: SOL_PRICE,
      reference,
    }).rpc();

    const found = await findReference(chain.connection, reference, { finality: "confirmed" });
    assert.equal(found.signature, signature);
    assert.equal(found.err, null);

    const tx = await landed(chain.connection, signature);
    assert.equal(tx.meta?.fee, SIGNATURE_FEE);
    const keys = tx.transaction.message.staticAccountKeys;
    const referenceIndex = keys.findIndex((k) => k.equals(reference));
    assert.ok(referenceIndex >= 0, "reference is an account of the transaction");
    assert.equal(tx.transaction.message.isAccountWritable(referenceIndex), false);
    assert.equal(tx.transaction.message.isAccountSigner(referenceIndex), false);

    assert.equal(await lamports(chain.connection, seller.publicKey), sellerBefore + 120_370_369n);
    assert.equal(await lamports(chain.connection, feeVaultPda()), treasuryBefore + 3_086_420n);
    assert.equal(
      await lamports(chain.connection, buyer.publicKey),
      buyerBefore - SOL_PRICE - BigInt(SIGNATURE_FEE) - licenseRent,
    );

    const licenseAddress = licensePda(solSkill, buyer.publicKey);
    const licenseInfo = await chain.connection.getAccountInfo(licenseAddress);
    assert.equal(licenseInfo?.data.length, LICENSE_ACCOUNT_BYTES);
    assert.equal(BigInt(licenseInfo?.lamports ?? 0), licenseRent);
    const license = await buyer.program.account.license.fetch(licenseAddress);
    assert.ok(license.buyer.equals(buyer.publicKey));
    assert.ok(license.skill.equals(solSkill));
    assert.equal(licenseKindName(license.kind), "oneTime");
    assert.equal(license.purchasedAt.toNumber(), tx.blockTime);
    assert.equal(license.expiresAt.toNumber(), 0);
    assert.equal(license.usageLimit.toNumber(), 0);
    assert.equal(license.usageUsed.toNumber(), 0);
    assert.equal(license.purchases, 1);

    const skill = await buyer.program.account.skill.fetch(solSkill);
    assert.equal(skill.sales.toNumber(), 1);
    assert.equal(skill.revenue.toString(), SOL_PRICE.toString());

    const purchased = single(eventsNamed(transactionEvents(tx), "licensePurchased"));
    assert.ok(purchased.reference?.equals(reference));
    assert.equal(purchased.sellerAmount.toString(), "120370369");
    assert.equal(purchased.feeAmount.toString(), "3086420");
  });

  it("buys in USDC: exact token split, SOL only for fee and rent, found by its reference", async () => {
    const reference = Keypair.generate().publicKey;
    const buyerToken = getAssociatedTokenAddressSync(usdc.mint, buyer.publicKey);
    const sellerToken = getAssociatedTokenAddressSync(usdc.mint, seller.publicKey);
    const treasuryToken = getAssociatedTokenAddressSync(usdc.mint, chain.treasury.publicKey);
    const [buyerTokens, sellerTokens, treasuryTokens] = await Promise.all([
      tokenBalance(chain.connection, buyerToken),
      tokenBalance(chain.connection, sellerToken),
      tokenBalance(chain.connection, treasuryToken),
    ]);
    const [buyerSol, sellerSol, treasurySol] = await Promise.all([
      lamports(chain.connection, buyer.publicKey),
      lamports(chain.connection, seller.publicKey),
      lamports(chain.connection, feeVaultPda()),
    ]);

    // As a Solana Pay transaction request would: everything read from chain, price as max.
    const purchase = await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: usdcSkill, reference });
    const signature = await purchase.rpc();

    const found = await findReference(chain.connection, reference, { finality: "confirmed" });
    assert.equal(found.signature, signature);

    const tx = await landed(chain.connection, signature);
    assert.equal(tx.meta?.fee, SIGNATURE_FEE);

    assert.equal(await tokenBalance(chain.connection, buyerToken), buyerTokens - USDC_PRICE);
    assert.equal(await tokenBalance(chain.connection, sellerToken), sellerTokens + 12_037_036n);
    assert.equal(await tokenBalance(chain.connection, treasuryToken), treasuryTokens + 308_642n);
    assert.equal((await chain.connection.getTokenAccountBalance(treasuryToken)).value.uiAmountString, "0.308642");

    assert.equal(await lamports(chain.connection, buyer.publicKey), buyerSol - BigInt(SIGNATURE_FEE) - licenseRent);
    assert.equal(await lamports(chain.connection, seller.publicKey), sellerSol);
    assert.equal(await lamports(chain.connection, feeVaultPda()), treasurySol);

    const license = await buyer.program.account.license.fetch(licensePda(usdcSkill, buyer.publicKey));
    assert.ok(license.buyer.equals(buyer.publicKey));
    assert.ok(license.skill.equals(usdcSkill));
    assert.equal(licenseKindName(license.kind), "oneTime");
    assert.equal(license.purchases, 1);

    const purchased = single(eventsNamed(transactionEvents(tx), "licensePurchased"));
    assert.ok(purchased.currency?.equals(usdc.mint));
    assert.ok(purchased.reference?.equals(reference));
    assert.equal(purchased.price.toString(), USDC_PRICE.toString());
    assert.equal(purchased.sellerAmount.toString(), "12037036");
    assert.equal(purchased.feeAmount.toString(), "308642");
  });

  it("finds nothing for a reference no transaction carried", async () => {
    await assert.rejects(findReference(chain.connection, Keypair.generate().publicKey, { finality: "confirmed" }), {
      name: "FindReferenceError",
    });
  });
});
