// The sdk against the IDL it is built from, without a node: the generated IDL type is current,
// the PDA helpers agree with Anchor's own IDL-driven account resolution, error names and codes
// match the IDL, and account discriminators are Anchor's.
import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import bs58 from "bs58";
import { readFileSync } from "node:fs";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Connection, Keypair } from "@solana/web3.js";
import BN from "bn.js";
import { renderIdlType } from "@skill-marketplace/sdk/scripts/idl-type";
import * as sdk from "@skill-marketplace/sdk";
import {
  accountDiscriminator,
  agentPda,
  licensePda,
  MARKETPLACE_ERRORS,
  marketplaceErrorOf,
  marketplacePda,
  marketplaceProgram,
  pricing,
  PROGRAM_ID,
  provenance,
  RAW_IDL,
  reviewPda,
  semver,
  skillPda,
  splitPrice,
  licenseStatus,
  encodeInvalidation,
  decodeInvalidation,
  publicKeyOrNull,
  isPublicKey,
  updateMarketplace,
  updateAgent,
  updateSkill,
  setSkillActive,
  closeLicense,
  acceptAdmin,
  addCurrency,
  base58Decode,
  addMeterAuthority,
  currencyPda,
  deleteReview,
  feeAt,
  initializeMarketplace,
  meterPda,
  priceAt,
  programDataAddress,
  proposeAdmin,
  recordUsage,
  removeCurrency,
  revokeMeterAuthority,
  setPaused,
  setSkillSuspension,
  versionAt,
  withdrawFees,
} from "@skill-marketplace/sdk";

// Account resolution below is offline; a connection that nothing listens on proves it.
const program = marketplaceProgram({ connection: new Connection("http://127.0.0.1:9") });

describe("sdk", () => {
  it("sdk/src/idl-type.ts is generated from the committed IDL (npx tsx sdk/scripts/idl-type.ts)", () => {
    assert.equal(readFileSync(new URL("../../sdk/src/idl-type.ts", import.meta.url), "utf8"), renderIdlType());
  });

  it("uses the program id of the IDL and of Anchor.toml", () => {
    assert.equal(PROGRAM_ID.toBase58(), RAW_IDL.address);
    assert.match(readFileSync(new URL("../../Anchor.toml", import.meta.url), "utf8"), new RegExp(`skill_marketplace = "${RAW_IDL.address}"`));
    assert.ok(program.programId.equals(PROGRAM_ID));
  });

  it("derives the PDAs Anchor derives from the IDL's seeds", async () => {
    const author = Keypair.generate().publicKey;
    const buyer = Keypair.generate().publicKey;
    const registered = await program.methods
      .registerSkill({
        slug: "pdf-summarizer",
        version: semver("1.2.3"),
        category: "documents",
        pricing: pricing.oneTime(),
        price: new BN(1),
        provenance: provenance("bafkreia", "11".repeat(20), "22".repeat(32)),
      })
      .accountsPartial({ author, currency: null })
      .pubkeys();
    assert.ok(registered.marketplace?.equals(marketplacePda()));
    assert.ok(registered.agent?.equals(agentPda(author)));
    const skill = skillPda(author, "pdf-summarizer");
    assert.ok(registered.skill?.equals(skill));

    const reviewed = await program.methods
      .postReview({ rating: 5, textCid: "bafkreib" })
      .accountsPartial({ reviewer: buyer, skill })
      .pubkeys();
    assert.ok(reviewed.license?.equals(licensePda(skill, buyer)));
    assert.ok(reviewed.review?.equals(reviewPda(skill, buyer)));
  });

  it("mirrors every seed and limit of the program's constants.rs", () => {
    const rust = readFileSync(new URL("../../programs/skill_marketplace/src/constants.rs", import.meta.url), "utf8");
    const constants = [...rust.matchAll(/pub const (\w+): [^=]+= (.+);/g)];
    assert.ok(constants.length >= 15);
    for (const [, name, value] of constants) {
      const mirrored = (sdk as unknown as Record<string, unknown>)[name!];
      // Integer constants are literals or products of literals (`90 * 86_400`).
      const expected = value!.startsWith('b"')
        ? value!.slice(2, -1)
        : value!.split("*").map((factor) => Number(factor.trim().replace(/_/g, ""))).reduce((a, b) => a * b, 1);
      assert.equal(mirrored, expected, `${name} = ${value}`);
    }
  });

  it("names every program error as the IDL does, codes from 6000", () => {
    assert.equal(MARKETPLACE_ERRORS.length, RAW_IDL.errors.length);
    MARKETPLACE_ERRORS.forEach((error, index) => {
      assert.equal(error.code, 6000 + index);
      assert.equal(error.name, RAW_IDL.errors[index]?.name);
    });
    assert.deepEqual(marketplaceErrorOf({ InstructionError: [1, { Custom: 6016 }] }), {
      code: 6016,
      name: "PriceAboveMaximum",
      msg: "Skill price is above the buyer's maximum",
      instruction: 1,
    });
    assert.equal(marketplaceErrorOf({ InstructionError: [0, "InvalidAccountData"] }), undefined);
    assert.equal(marketplaceErrorOf(null), undefined);
  });

  it("uses Anchor's account discriminators", () => {
    for (const name of ["Marketplace", "Agent", "Skill", "License", "Review"] as const) {
      const expected = createHash("sha256").update(`account:${name}`).digest().subarray(0, 8);
      const key = (name.charAt(0).toLowerCase() + name.slice(1)) as "marketplace" | "agent" | "skill" | "license" | "review";
      assert.deepEqual(accountDiscriminator(key), expected);
    }
  });

  it("splits a price as the program does, on the program's own cases (tests/fixtures/fee-split.json)", () => {
    const cases = JSON.parse(readFileSync(new URL("../fixtures/fee-split.json", import.meta.url), "utf8")) as {
      price: string;
      feeBps: number;
      sellerAmount: string;
      feeAmount: string;
    }[];
    assert.ok(cases.length >= 10);
    for (const c of cases) {
      assert.deepEqual(splitPrice(BigInt(c.price), c.feeBps), { sellerAmount: BigInt(c.sellerAmount), feeAmount: BigInt(c.feeAmount) }, `${c.price} at ${c.feeBps} bps`);
    }
    assert.throws(() => splitPrice(-1n, 250), /must not be negative/);
  });

  it("tells a license's status as record_usage would judge it", () => {
    const t = 1_000_000;
    const open = { paused: false };
    const listed = { active: true, suspended: false };
    const subscription = { kind: { subscription: {} }, expiresAt: new BN(t + 60), usageLimit: new BN(0), usageUsed: new BN(3) };
    const usage = { kind: { usage: {} }, expiresAt: new BN(0), usageLimit: new BN(10), usageUsed: new BN(9) };
    const oneTime = { kind: { oneTime: {} }, expiresAt: new BN(0), usageLimit: new BN(0), usageUsed: new BN(500) };
    assert.equal(licenseStatus(subscription, listed, open, t), "valid");
    assert.equal(licenseStatus(subscription, listed, open, t + 59), "valid");
    assert.equal(licenseStatus(subscription, listed, open, t + 60), "expired", "the program accepts usage while now < expires_at");
    assert.equal(licenseStatus(usage, listed, open, t), "valid");
    assert.equal(licenseStatus({ ...usage, usageUsed: new BN(10) }, listed, open, t), "usedUp");
    assert.equal(licenseStatus(oneTime, listed, open, t), "valid", "one-time licenses are not metered");
    assert.equal(licenseStatus(oneTime, listed, { paused: true }, t), "paused");
    assert.equal(licenseStatus(oneTime, { active: false, suspended: false }, open, t), "inactive");
    assert.equal(licenseStatus(oneTime, { active: true, suspended: true }, open, t), "suspended");
    assert.equal(licenseStatus(oneTime, { active: false, suspended: true }, open, t), "suspended", "suspension before delisting: it is the stronger word");
    assert.equal(licenseStatus({ ...usage, usageUsed: new BN(10) }, { active: false, suspended: true }, { paused: true }, t), "paused", "paused first: nobody's usage counts");
  });

  it("tells the fee, price and version in force as the program does", () => {
    const marketplace = { feeBps: 250, pendingFee: { feeBps: 500, effectiveAt: new BN(1_000) } };
    assert.equal(feeAt(marketplace, 999), 250);
    assert.equal(feeAt(marketplace, 1_000), 500);
    assert.equal(feeAt({ feeBps: 250, pendingFee: null }, 5_000), 250);
    const v1 = semver("1.0.0");
    const v2 = semver("1.1.0");
    const p1 = provenance("bafkreia", "11".repeat(20), "22".repeat(32));
    const p2 = provenance("bafkreib", "33".repeat(20), "44".repeat(32));
    const skill = {
      price: new BN(10),
      version: v1,
      provenance: p1,
      pendingVersion: { version: v2, provenance: p2, effectiveAt: new BN(2_000) },
      pendingPrice: { price: new BN(20), effectiveAt: new BN(2_000) },
    };
    assert.equal(priceAt(skill, 1_999), 10n);
    assert.equal(priceAt(skill, 2_000), 20n);
    assert.deepEqual(versionAt(skill, 1_999), { version: v1, provenance: p1 });
    assert.deepEqual(versionAt(skill, 2_000), { version: v2, provenance: p2 });
    assert.equal(priceAt({ ...skill, pendingPrice: null }, 9_999), 10n);
  });

  it("encodes the indexer's invalidation message and refuses what is not one", () => {
    const message = { skills: ["a"], licenses: ["b", "c"], slot: 7, signature: "sig", generation: 12 };
    assert.deepEqual(decodeInvalidation(encodeInvalidation(message)), message);
    assert.equal(decodeInvalidation(JSON.stringify({ ...message, generation: "12" })), null);
    assert.equal(decodeInvalidation("not json"), null);
    assert.equal(decodeInvalidation(JSON.stringify({ skills: [1], licenses: [], slot: 1, signature: "s", generation: 1 })), null);
    assert.equal(decodeInvalidation(JSON.stringify({ skills: [], licenses: [] })), null);
  });

  it("decodes base58 exactly as the bs58 package does, and refuses what is not base58", () => {
    for (let i = 0; i < 500; i++) {
      const length = i % 7 === 0 ? i % 5 : (i * 37) % 400;
      const bytes = randomBytes(length);
      if (i % 3 === 0) bytes.fill(0, 0, Math.min(length, i % 4)); // leading zero bytes are leading "1"s
      const text = bs58.encode(bytes);
      assert.deepEqual(base58Decode(text), Buffer.from(bs58.decode(text)), text);
    }
    assert.deepEqual(base58Decode(""), Buffer.alloc(0));
    assert.deepEqual(base58Decode("111"), Buffer.alloc(3));
    assert.throws(() => base58Decode("abc0"), /not base58: "0" at 3/);
    assert.throws(() => base58Decode("lI"), /not base58: "l" at 0/);
  });

  it("spells a public key one way", () => {
    const key = Keypair.generate().publicKey;
    assert.ok(publicKeyOrNull(key.toBase58())?.equals(key));
    assert.equal(isPublicKey(key.toBase58()), true);
    assert.equal(isPublicKey("not-a-key"), false);
    assert.equal(isPublicKey("1".repeat(44)), false, "base58 of more than 32 bytes");
    assert.equal(isPublicKey(`0${key.toBase58().slice(1)}`), false);
  });

  it("builds every instruction with the accounts Anchor resolves from the IDL", async () => {
    const admin = Keypair.generate().publicKey;
    const author = Keypair.generate().publicKey;
    const buyer = Keypair.generate().publicKey;
    const skill = skillPda(author, "pdf-summarizer");
    const keysOf = async (builder: { instruction(): Promise<{ keys: { pubkey: { toBase58(): string } }[] }> }) =>
      (await builder.instruction()).keys.map((k) => k.pubkey.toBase58());
    const same = async (ours: Parameters<typeof keysOf>[0], anchors: Parameters<typeof keysOf>[0]) =>
      assert.deepEqual(await keysOf(ours), await keysOf(anchors));
    await same(
      updateMarketplace(program, { admin, feeBps: 300 }),
      program.methods.updateMarketplace({ treasury: null, feeBps: 300, pauser: null, noticeSecs: null }).accountsPartial({ admin }),
    );
    await same(proposeAdmin(program, { admin, newAdmin: buyer }), program.methods.proposeAdmin(buyer).accountsPartial({ admin }));
    await same(acceptAdmin(program, { newAdmin: buyer }), program.methods.acceptAdmin().accountsPartial({ newAdmin: buyer }));
    await same(setPaused(program, { signer: admin, paused: true }), program.methods.setPaused(true).accountsPartial({ signer: admin }));
    await same(addMeterAuthority(program, { admin, authority: buyer }), program.methods.addMeterAuthority(buyer).accountsPartial({ admin }));
    await same(
      revokeMeterAuthority(program, { admin, authority: buyer }),
      program.methods.revokeMeterAuthority().accountsPartial({ admin, meter: meterPda(buyer) }),
    );
    const treasury = Keypair.generate().publicKey;
    await same(withdrawFees(program, { admin, treasury, amount: 5 }), program.methods.withdrawFees(new BN(5)).accountsPartial({ admin, treasury }));
    const mint = Keypair.generate().publicKey;
    await same(addCurrency(program, { admin, mint }), program.methods.addCurrency().accountsPartial({ admin, mint, tokenProgram: TOKEN_PROGRAM_ID }));
    await same(removeCurrency(program, { admin, mint }), program.methods.removeCurrency().accountsPartial({ admin, currency: currencyPda(mint) }));
    await same(
      setSkillSuspension(program, { admin, skill, reasonCid: "bafkreic" }),
      program.methods.setSkillSuspension("bafkreic").accountsPartial({ admin, skill }),
    );
    await same(
      initializeMarketplace(program, { admin, treasury, feeBps: 250, pauser: admin, noticeSecs: 60 }),
      program.methods
        .initializeMarketplace({ treasury, feeBps: 250, pauser: admin, noticeSecs: new BN(60) })
        .accountsPartial({ admin, programData: programDataAddress() }),
    );
    const root = new Uint8Array(32).fill(7);
    await same(
      recordUsage(program, { meterAuthority: admin, skill, buyer, units: 2, expectedUsageUsed: 3, receiptsRoot: root, receiptCount: 1 }),
      program.methods
        .recordUsage({ units: new BN(2), expectedUsageUsed: new BN(3), receiptsRoot: [...root], receiptCount: 1 })
        .accountsPartial({ meterAuthority: admin, meter: meterPda(admin), skill, license: licensePda(skill, buyer) }),
    );
    await same(deleteReview(program, { reviewer: buyer, skill }), program.methods.deleteReview().accountsPartial({ reviewer: buyer, skill }));
    await same(updateAgent(program, { wallet: author, name: "a", metadataUri: "u" }), program.methods.updateAgent({ name: "a", metadataUri: "u" }).accountsPartial({ wallet: author }));
    const version = semver("1.2.4");
    const prov = provenance("bafkreia", "11".repeat(20), "22".repeat(32));
    await same(
      updateSkill(program, { author, slug: "pdf-summarizer", version, provenance: prov, price: 5 }),
      program.methods.updateSkill({ version, provenance: prov, price: new BN(5), category: null }).accountsPartial({ author, skill }),
    );
    await same(setSkillActive(program, { author, slug: "pdf-summarizer", active: false }), program.methods.setSkillActive(false).accountsPartial({ author, skill }));
    await same(closeLicense(program, { buyer, skill }), program.methods.closeLicense().accountsPartial({ buyer, license: licensePda(skill, buyer) }));
  });

  it("validates builder inputs", () => {
    assert.throws(() => semver("1.2"), /major.minor.patch/);
    assert.throws(() => provenance("cid", "abc", "22".repeat(32)), /commit SHA must be 40 hex/);
    assert.deepEqual(provenance("cid", "ab".repeat(20), "sha256:" + "cd".repeat(32)).imageDigest, Array(32).fill(0xcd));
  });
});
