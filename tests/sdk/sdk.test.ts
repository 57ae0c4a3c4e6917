// The sdk against the IDL it is built from, without a node: the generated IDL type is current,
// the PDA helpers agree with Anchor's own IDL-driven account resolution, error names and codes
// match the IDL, and account discriminators are Anchor's.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
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
      .accounts({ author, currencyMint: null })
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
      const expected = value!.startsWith('b"') ? value!.slice(2, -1) : Number(value!.replace(/_/g, ""));
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
    const listed = { active: true };
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
    assert.equal(licenseStatus(oneTime, { active: false }, open, t), "inactive");
    assert.equal(licenseStatus({ ...usage, usageUsed: new BN(10) }, { active: false }, { paused: true }, t), "paused", "paused first: nobody's usage counts");
  });

  it("encodes the indexer's invalidation message and refuses what is not one", () => {
    const message = { skills: ["a"], licenses: ["b", "c"], slot: 7, signature: "sig", generation: 12 };
    assert.deepEqual(decodeInvalidation(encodeInvalidation(message)), message);
    assert.equal(decodeInvalidation(JSON.stringify({ ...message, generation: "12" })), null);
    assert.equal(decodeInvalidation("not json"), null);
    assert.equal(decodeInvalidation(JSON.stringify({ skills: [1], licenses: [], slot: 1, signature: "s", generation: 1 })), null);
    assert.equal(decodeInvalidation(JSON.stringify({ skills: [], licenses: [] })), null);
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
      updateMarketplace(program, { admin, feeBps: 300, paused: true }),
      program.methods.updateMarketplace({ admin: null, treasury: null, feeBps: 300, meterAuthority: null, paused: true }).accounts({ admin }),
    );
    await same(updateAgent(program, { wallet: author, name: "a", metadataUri: "u" }), program.methods.updateAgent({ name: "a", metadataUri: "u" }).accounts({ wallet: author }));
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
