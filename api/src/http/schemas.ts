// Schemas shared by the routes: how the api spells a public key (the sdk's one check) and a license kind.
import { isPublicKey, PUBLIC_KEY_MESSAGE } from "@skill-marketplace/sdk";
import { z } from "zod";
import "./route.js"; // adds .openapi() to zod

export const Pubkey = z
  .string()
  .refine(isPublicKey, PUBLIC_KEY_MESSAGE)
  .openapi({
    description: "a Solana public key: base58 text that decodes to exactly 32 bytes (the pattern alone admits other lengths)",
    format: "solana-pubkey",
    pattern: "^[1-9A-HJ-NP-Za-km-z]{32,44}$",
  });
export const Kind = z.enum(["oneTime", "subscription", "usage"]);

/** How many reviews gave each rating, "1" to "5". */
export const Distribution = z.record(z.string(), z.number().int());
