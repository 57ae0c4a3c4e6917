// The sdk against the IDL it is built from, without a node: the generated IDL type is current,
// the PDA helpers agree with Anchor's own IDL-driven account resolution, error names and codes
// match the IDL, and account discriminators are Anchor's.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Connection, Keypair } from "@solana/web3.js";
import BN from "bn.js";
import { renderIdlType } from "../../sdk/scripts/idl-type.js";
import * as sdk from "../../sdk/src/index.js";
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
} from "../../sdk/src/index.js";

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
      const mirrored = (sdk as Record<string, unknown>)[name!];
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

  it("splits a price as the program does", () => {
    assert.deepEqual(splitPrice(123_456_789n, 250), { sellerAmount: 120_370_370n, feeAmount: 3_086_419n });
    assert.deepEqual(splitPrice(39n, 250), { sellerAmount: 39n, feeAmount: 0n });
    assert.deepEqual(splitPrice(2n ** 64n - 1n, 1000), { sellerAmount: 16602069666338596454n, feeAmount: 1844674407370955161n });
  });

  it("validates builder inputs", () => {
    assert.throws(() => semver("1.2"), /major.minor.patch/);
    assert.throws(() => provenance("cid", "abc", "22".repeat(32)), /commit SHA must be 40 hex/);
    assert.deepEqual(provenance("cid", "ab".repeat(20), "sha256:" + "cd".repeat(32)).imageDigest, Array(32).fill(0xcd));
  });
});
