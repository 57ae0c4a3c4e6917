// Node's native ed25519 behind the sdk's Ed25519 interface: the same signatures as the sdk's
// pure-JavaScript default, for the services that sign and check one per call. Keys are turned
// into KeyObjects once and kept (a few hundred, most recent first).
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import type { Ed25519 } from "@skill-marketplace/sdk";

const PKCS8_SEED_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEEP = 512;

function cached(cache: Map<string, KeyObject>, bytes: Uint8Array, make: (der: Buffer) => KeyObject, prefix: Buffer): KeyObject {
  const id = Buffer.from(bytes).toString("hex");
  let key = cache.get(id);
  if (key) {
    cache.delete(id);
  } else {
    key = make(Buffer.concat([prefix, Buffer.from(bytes)]));
    if (cache.size >= KEEP) cache.delete(cache.keys().next().value!);
  }
  cache.set(id, key);
  return key;
}

export function nativeEd25519(): Ed25519 {
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject>();
  return {
    sign(message, seed) {
      if (seed.length !== 32) throw new Error("an ed25519 seed is 32 bytes");
      return sign(null, message, cached(privateKeys, seed, (der) => createPrivateKey({ key: der, format: "der", type: "pkcs8" }), PKCS8_SEED_PREFIX));
    },
    verify(signature, message, publicKey) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        return verify(null, message, cached(publicKeys, publicKey, (der) => createPublicKey({ key: der, format: "der", type: "spki" }), SPKI_PREFIX), signature);
      } catch {
        return false;
      }
    },
  };
}
