// Schemas shared by the routes: how the api spells a public key and a license kind.
import { z } from "zod";
import "./route.js"; // adds .openapi() to zod

export const Pubkey = z.string().min(32).max(44).regex(/^[1-9A-HJ-NP-Za-km-z]+$/, "must be a base58 public key");
export const Kind = z.enum(["oneTime", "subscription", "usage"]);
