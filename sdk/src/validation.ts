// zod schemas for the values every service's configuration and API take from the outside:
// URLs of a given scheme and base58 public keys (canonical spelling only).
import { PublicKey } from "@solana/web3.js";
import { z } from "zod";

export const zUrl = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(" or ")} URL`);

export const zPubkey = z.string().refine((v) => {
  try {
    return new PublicKey(v).toBase58() === v;
  } catch {
    return false;
  }
}, "must be a base58 public key");
