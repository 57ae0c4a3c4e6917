// The two ed25519s the marketplace signs with (the sdk's pure-JavaScript default, and Node's
// native one the executor uses) give the same signatures and accept the same ones: a token or a
// receipt signed by either verifies with the other, and a tampered one with neither.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { Keypair } from "@solana/web3.js";
import { nobleEd25519 } from "@skill-marketplace/sdk";
import { nativeEd25519 } from "@skill-marketplace/kit";

describe("sdk: ed25519, pure JavaScript and native", () => {
  const native = nativeEd25519();

  it("sign the same messages with the same bytes and verify each other", () => {
    for (let i = 0; i < 200; i++) {
      const keypair = Keypair.generate();
      const seed = keypair.secretKey.subarray(0, 32);
      const message = randomBytes(i);
      const a = nobleEd25519.sign(message, seed);
      const b = native.sign(message, seed);
      assert.deepEqual(Buffer.from(a), Buffer.from(b));
      assert.ok(native.verify(a, message, keypair.publicKey.toBytes()));
      assert.ok(nobleEd25519.verify(b, message, keypair.publicKey.toBytes()));
    }
  });

  it("refuse a changed message, a changed signature, another key and malformed inputs", () => {
    const keypair = Keypair.generate();
    const other = Keypair.generate().publicKey.toBytes();
    const message = new TextEncoder().encode("receipt");
    const signature = native.sign(message, keypair.secretKey.subarray(0, 32));
    const flipped = Uint8Array.from(signature);
    flipped[10] = flipped[10]! ^ 1;
    for (const impl of [native, nobleEd25519]) {
      assert.equal(impl.verify(signature, new TextEncoder().encode("receipT"), keypair.publicKey.toBytes()), false);
      assert.equal(impl.verify(flipped, message, keypair.publicKey.toBytes()), false);
      assert.equal(impl.verify(signature, message, other), false);
    }
    assert.equal(native.verify(signature.subarray(0, 63), message, keypair.publicKey.toBytes()), false);
    assert.equal(native.verify(signature, message, new Uint8Array(31)), false);
    assert.throws(() => native.sign(message, new Uint8Array(31)), /32 bytes/);
  });
});
