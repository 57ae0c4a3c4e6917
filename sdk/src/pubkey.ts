// How the marketplace spells a public key: base58 of exactly 32 bytes, in canonical form (the
// spelling PublicKey itself prints). The one check behind every schema and service that takes a key.
import { PublicKey } from "@solana/web3.js";

/** The key `value` spells, or null when it is not a canonical base58 public key. */
export function publicKeyOrNull(value: string): PublicKey | null {
  try {
    const key = new PublicKey(value);
    return key.toBase58() === value ? key : null;
  } catch {
    return null;
  }
}

export function isPublicKey(value: string): boolean {
  return publicKeyOrNull(value) !== null;
}

/** What a schema says of a value that fails `isPublicKey`. */
export const PUBLIC_KEY_MESSAGE = "must be a base58 public key";
