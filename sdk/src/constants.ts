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
export const SEED_FEE_VAULT = seed("SEED_FEE_VAULT");
export const SEED_SKILL_VAULT = seed("SEED_SKILL_VAULT");
export const SEED_METER = seed("SEED_METER");
export const SEED_CURRENCY = seed("SEED_CURRENCY");

/**
 * Seed of the PDA that signs the program's event self-CPIs (Anchor's `event_cpi` layout), read
 * from the IDL's `event_authority` account of any instruction.
 */
export const SEED_EVENT_AUTHORITY: string = (() => {
  type IdlAccount = { name: string; pda?: { seeds: { kind: string; value?: number[] }[] } };
  const instructions = (RAW_IDL as { instructions: { accounts: IdlAccount[] }[] }).instructions;
  const authority = instructions.flatMap((i) => i.accounts).find((a) => a.name === "event_authority");
  const value = authority?.pda?.seeds[0]?.value;
  if (!value) throw new Error("the IDL names no event_authority PDA: regenerate it with `npm run idl`");
  return String.fromCharCode(...value);
})();

/** Layout version in the first byte of every account the program creates. */
export const LAYOUT_VERSION = integer("LAYOUT_VERSION");

/** Basis points in 100 %. */
export const BPS_DENOMINATOR = integer("BPS_DENOMINATOR");
/** The platform fee (2.5 %) a marketplace starts with unless told otherwise. */
export const DEFAULT_FEE_BPS = integer("DEFAULT_FEE_BPS");
/** The platform fee can never exceed this (10 %). */
export const MAX_FEE_BPS = integer("MAX_FEE_BPS");
/** Longest notice period (seconds) before a fee change, a new version or a price increase applies. */
export const MAX_NOTICE_SECS = integer("MAX_NOTICE_SECS");
/** The notice period a marketplace starts with unless told otherwise (seven days). */
export const DEFAULT_NOTICE_SECS = integer("DEFAULT_NOTICE_SECS");

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
