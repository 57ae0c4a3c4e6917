// The ed25519 the marketplace's signatures use. Pure JavaScript (noble) by default, so the sdk
// runs in a browser; a Node service may pass the native one (kit `nativeEd25519`), which gives
// the same signatures some thirty times faster.
import { ed25519 } from "@noble/curves/ed25519";

export interface Ed25519 {
  /** A detached signature of `message` by a 32-byte seed (the first half of Keypair.secretKey). */
  sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export const nobleEd25519: Ed25519 = {
  sign: (message, seed) => ed25519.sign(message, seed),
  verify: (signature, message, publicKey) => ed25519.verify(signature, message, publicKey),
};
