// Seeds and limits of the program (programs/skill_marketplace/src/constants.rs, each marked
// `#[constant]`), read from the IDL that is generated from it: never restated by hand.
import { RAW_IDL } from "./program.js";

type IdlConstant = { name: string; type: unknown; value: string };
const constants = new Map(((RAW_IDL as { constants?: IdlConstant[] }).constants ?? []).map((c) => [c.name, c]));

function constant(name: string): IdlConstant {
  const c = constants.get(name);
  if (!c) throw new Error(`the IDL has no constant ${name}: regenerate it with \`npm run idl\``);
  return c;
}

/** A byte-string seed (`b"…"`), which the IDL writes as a list of bytes. */
function seed(name: string): string {
  const bytes = JSON.parse(constant(name).value) as number[];
  return String.fromCharCode(...bytes);
}

/** An integer constant, which the IDL writes as Rust spells it (`10_000`). */
function integer(name: string): number {
  const value = Number(constant(name).value.replace(/_/g, ""));
  if (!Number.isSafeInteger(value)) throw new Error(`IDL constant ${name} is not an integer`);
  return value;
}

export const SEED_MARKETPLACE = seed("SEED_MARKETPLACE");
export const SEED_AGENT = seed("SEED_AGENT");
export const SEED_SKILL = seed("SEED_SKILL");
export const SEED_LICENSE = seed("SEED_LICENSE");
export const SEED_REVIEW = seed("SEED_REVIEW");

/** Basis points in 100 %. */
export const BPS_DENOMINATOR = integer("BPS_DENOMINATOR");
/** The platform fee (2.5 %) a marketplace starts with unless told otherwise. */
export const DEFAULT_FEE_BPS = integer("DEFAULT_FEE_BPS");
/** The platform fee can never exceed this (10 %). */
export const MAX_FEE_BPS = integer("MAX_FEE_BPS");

export const MIN_SLUG_LEN = integer("MIN_SLUG_LEN");
export const MAX_SLUG_LEN = integer("MAX_SLUG_LEN");
export const MAX_CATEGORY_LEN = integer("MAX_CATEGORY_LEN");
export const MAX_AGENT_NAME_LEN = integer("MAX_AGENT_NAME_LEN");
export const MAX_URI_LEN = integer("MAX_URI_LEN");
export const MAX_CID_LEN = integer("MAX_CID_LEN");
/** Shortest subscription period a skill may sell, in seconds. */
export const MIN_SUBSCRIPTION_INTERVAL_SECS = integer("MIN_SUBSCRIPTION_INTERVAL_SECS");
export const MIN_RATING = integer("MIN_RATING");
export const MAX_RATING = integer("MAX_RATING");
