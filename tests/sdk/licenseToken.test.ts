// The license token: what the holder signs, and every way a token is refused.
import { strict as assert } from "node:assert";
import { Keypair } from "@solana/web3.js";
import nacl from "tweetnacl";
import {
  decodeLicenseToken,
  encodeLicenseToken,
  LICENSE_TOKEN_MAX_TTL_SECONDS,
  licenseTokenClaims,
  licenseTokenMessage,
  LicenseTokenInvalid,
  signLicenseToken,
  verifyLicenseToken,
} from "@skill-marketplace/sdk";

const holder = Keypair.generate();
const stranger = Keypair.generate();
const license = Keypair.generate().publicKey;
const skill = Keypair.generate().publicKey;
const audience = "https://market.test";
const now = 1_800_000_000;

const claims = (overrides: Partial<ReturnType<typeof licenseTokenClaims>> = {}) => ({
  ...licenseTokenClaims({ license, skill, holder: holder.publicKey, audience, nowSeconds: now, ttlSeconds: 60 }),
  ...overrides,
});

function refused(token: string, reason: string, message: RegExp | string, options = { audience, nowSeconds: now }) {
  assert.throws(
    () => verifyLicenseToken(token, options),
    (e: unknown) => {
      assert.ok(e instanceof LicenseTokenInvalid, String(e));
      assert.equal(e.reason, reason);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

describe("sdk: license token", () => {
  it("a token signed by the holder verifies to its claims; nonces are fresh 16-byte hex", () => {
    const c = claims();
    const token = signLicenseToken(c, holder.secretKey);
    assert.match(token, /^sml1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(verifyLicenseToken(token, { audience: "https://market.test/api/v1", nowSeconds: now + 59 }), c);
    assert.match(c.nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(claims().nonce, c.nonce);
    assert.equal(c.expiresAt, now + 60);
    // A wallet signs the message bytes detached (signMessage); the token carries that signature.
    const viaWallet = encodeLicenseToken(c, nacl.sign.detached(licenseTokenMessage(c), holder.secretKey));
    assert.equal(viaWallet, token);
    assert.equal(new TextDecoder().decode(licenseTokenMessage(c)).split("\n")[0], "skill-marketplace license token v1");
  });

  it("refuses a token signed by anyone but the holder it names", () => {
    refused(signLicenseToken(claims(), stranger.secretKey), "bad_signature", "the license token is not signed by the holder it names");
    // Claims changed after signing (another license, a later expiry).
    const c = claims();
    const signature = nacl.sign.detached(licenseTokenMessage(c), holder.secretKey);
    refused(encodeLicenseToken({ ...c, license: Keypair.generate().publicKey.toBase58() }, signature), "bad_signature", /not signed/);
    refused(encodeLicenseToken({ ...c, expiresAt: c.expiresAt + 1 }, signature), "bad_signature", /not signed/);
  });

  it("refuses expired, future, over-long and other-deployment tokens", () => {
    const token = signLicenseToken(claims(), holder.secretKey);
    refused(token, "expired", "the license token has expired; sign a new one", { audience, nowSeconds: now + 60 });
    refused(token, "not_yet_valid", /issued in the future/, { audience, nowSeconds: now - 31 });
    assert.ok(verifyLicenseToken(token, { audience, nowSeconds: now - 30 }));
    const long = signLicenseToken(claims({ expiresAt: now + LICENSE_TOKEN_MAX_TTL_SECONDS + 1 }), holder.secretKey);
    refused(long, "lifetime_too_long", "a license token lives at most 300 seconds");
    const backwards = signLicenseToken(claims({ expiresAt: now - 1 }), holder.secretKey);
    refused(backwards, "lifetime_too_long", /at most 300 seconds/);
    refused(token, "wrong_audience", "the license token is for https://market.test, not https://other.test", { audience: "https://other.test", nowSeconds: now });
  });

  it("refuses malformed tokens with what is wrong", () => {
    const good = signLicenseToken(claims(), holder.secretKey);
    const [, body, sig] = good.split(".");
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const cases: [string, RegExp][] = [
      ["", /expected sml1/],
      ["sml2." + body + "." + sig, /expected sml1/],
      [`sml1.${body}`, /expected sml1/],
      [`sml1.${body}.${sig}.x`, /expected sml1/],
      [`sml1.%%%.${sig}`, /not base64url JSON/],
      [`sml1.${encode([1])}.${sig}`, /claims are not an object/],
      [`sml1.${encode({ ...claims(), license: "not-an-address" })}.${sig}`, /license is not an address/],
      [`sml1.${encode({ ...claims(), nonce: "abc" })}.${sig}`, /nonce is not 16 bytes of hex/],
      [`sml1.${encode({ ...claims(), expiresAt: 1.5 })}.${sig}`, /expiresAt is not unix seconds/],
      [`sml1.${encode({ ...claims(), extra: 1 })}.${sig}`, /unknown claim extra/],
      [`sml1.${body}.${Buffer.alloc(63).toString("base64url")}`, /signature is not 64 bytes/],
      ["sml1." + "A".repeat(3000) + ".x", /not a token/],
    ];
    for (const [token, message] of cases) {
      refused(token, "malformed", message);
      assert.throws(() => decodeLicenseToken(token), LicenseTokenInvalid);
    }
  });
});
