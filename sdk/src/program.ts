// The program's identity for TypeScript: its id, its IDL (from sdk/idl, generated from the Rust
// program) and the Anchor `Program` / coder built from it. Everything else in the sdk derives
// from these, so a service never needs its own copy of the layout.
import { BorshCoder, Program, type Provider } from "@coral-xyz/anchor";
import { convertIdlToCamelCase } from "@coral-xyz/anchor/dist/cjs/idl.js";
import { Connection, PublicKey } from "@solana/web3.js";
import idlJson from "../idl/skill_marketplace.json" with { type: "json" };
import type { SkillMarketplace } from "./idl-type.js";

export type { SkillMarketplace } from "./idl-type.js";
export type MarketplaceProgram = Program<SkillMarketplace>;

/** The IDL exactly as committed (snake_case names, as the Rust program spells them). */
export const RAW_IDL = idlJson;
/** The IDL as Anchor's client sees it (camelCase names); what the coder and the types use. */
export const IDL = convertIdlToCamelCase(idlJson as unknown as SkillMarketplace) as SkillMarketplace;

export const PROGRAM_ID = new PublicKey(idlJson.address);

/**
 * The Anchor client for the marketplace. Any provider works: an `AnchorProvider` (wallet) to send
 * transactions, or `{ connection }` to read accounts and build instructions for others to sign.
 */
export function marketplaceProgram(provider: Provider | { connection: Connection }): MarketplaceProgram {
  // Anchor camelCases the JSON itself, as it does for the IDL it fetches from chain.
  return new Program<SkillMarketplace>(idlJson as unknown as SkillMarketplace, provider as Provider);
}

/** Borsh coder for instructions, accounts and events; needs no connection. */
export const marketplaceCoder = new BorshCoder(IDL);
