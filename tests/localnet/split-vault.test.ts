// Pay-per-call money on the real node: a payment lands in the skill's vault (the associated token account of its
// vault authority, the x402 `payTo`), and the sdk's `splitVault`, sent by a stranger, moves it to the seller and the
// treasury at the fee in force, rounded up as purchases are; the event says what each side received.
import { strict as assert } from "node:assert";
import { createAssociatedTokenAccountIdempotent, getAssociatedTokenAddressSync, transfer } from "@solana/spl-token";
import { eventsNamed, marketplacePda, paymentRequirements, pricing, skillVault, skillVaultAuthorityPda, splitPrice, splitVault, transactionEvents, X402_NETWORKS } from "@skill-marketplace/sdk";
import { createUsdc, fundedActor, landed, mintUsdc, registerAgentFor, registerSkillFor, single, startMarketplace, tokenBalance, type Chain } from "../helpers/marketplace.js";

describe("localnet: a skill's vault, split by anyone to seller and treasury", () => {
  let chain: Chain;
  after(() => chain?.stop());

  it("a payment to the vault that payTo names is split by the sdk's splitVault, exactly", async () => {
    chain = await startMarketplace();
    const seller = await fundedActor(chain.connection);
    const payer = await fundedActor(chain.connection);
    const stranger = await fundedActor(chain.connection);
    await registerAgentFor(seller, "vault-seller");
    const usdc = await createUsdc(chain.connection, chain.admin.keypair, [payer.publicKey, seller.publicKey, chain.treasury.publicKey]);
    await mintUsdc(chain.connection, chain.admin.keypair, usdc, usdc.accounts.get(payer.publicKey.toBase58())!, 50_000_000n);
    const { address: skill, skill: account } = await registerSkillFor(seller, { slug: "per-call", pricing: pricing.usage(100), price: 1_234_567n, currencyMint: usdc.mint });

    // What a 402 asks for, and where the money goes: the associated token account of payTo.
    const req = paymentRequirements({ address: skill, pricing: account.pricing, price: BigInt(account.price.toString()), currency: usdc.mint }, { network: X402_NETWORKS.devnet, feePayer: stranger.publicKey })!;
    assert.equal(req.amount, "12346");
    assert.equal(req.payTo, skillVaultAuthorityPda(skill).toBase58());
    const vault = await createAssociatedTokenAccountIdempotent(chain.connection, stranger.keypair, usdc.mint, skillVaultAuthorityPda(skill), { commitment: "confirmed" }, undefined, undefined, true);
    assert.ok(vault.equals(skillVault(skill, usdc.mint)));
    const calls = 7n;
    await transfer(chain.connection, payer.keypair, usdc.accounts.get(payer.publicKey.toBase58())!, vault, payer.keypair, BigInt(req.amount) * calls, [], { commitment: "confirmed" });
    const paid = BigInt(req.amount) * calls;
    assert.equal(await tokenBalance(chain.connection, vault), paid);

    const marketplace = await stranger.program.account.marketplace.fetch(marketplacePda());
    const signature = await splitVault(stranger.program, { skill, author: seller.publicKey, treasury: marketplace.treasury, mint: usdc.mint }).rpc();
    const { sellerAmount: sellerShare, feeAmount: fee } = splitPrice(paid, 250);
    assert.equal(await tokenBalance(chain.connection, vault), 0n);
    assert.equal(await tokenBalance(chain.connection, getAssociatedTokenAddressSync(usdc.mint, seller.publicKey)), sellerShare);
    assert.equal(await tokenBalance(chain.connection, getAssociatedTokenAddressSync(usdc.mint, chain.treasury.publicKey)), fee);
    const event = single(eventsNamed(transactionEvents(await landed(chain.connection, signature)), "vaultSplit"));
    assert.deepEqual(
      [event.skill.toBase58(), event.seller.toBase58(), event.amount.toString(), event.feeBps, event.sellerAmount.toString(), event.feeAmount.toString()],
      [skill.toBase58(), seller.publicKey.toBase58(), paid.toString(), 250, sellerShare.toString(), fee.toString()],
    );
    // Nothing left: a second split is refused.
    await assert.rejects(splitVault(stranger.program, { skill, author: seller.publicKey, treasury: marketplace.treasury, mint: usdc.mint }).rpc(), /NothingToSplit/);
  });
});
