// Typed views of the program's accounts, decoded with the IDL's Borsh layout, and the enum
// helpers the rest of the code needs to read them (licence kind, pricing).
import type { IdlAccounts, IdlTypes } from "@coral-xyz/anchor";
import { Connection, PublicKey, type Commitment } from "@solana/web3.js";
import { marketplaceCoder, type SkillMarketplace } from "./program.js";

type Accounts = IdlAccounts<SkillMarketplace>;
export type AccountName = keyof Accounts;
export type MarketplaceAccount = Accounts["marketplace"];
export type AgentAccount = Accounts["agent"];
export type SkillAccount = Accounts["skill"];
export type LicenseAccount = Accounts["license"];
export type ReviewAccount = Accounts["review"];

type Types = IdlTypes<SkillMarketplace>;
export type Pricing = Types["pricing"];
export type Provenance = Types["provenance"];
export type Semver = Types["semver"];
export type LicenseKind = Types["licenseKind"];

/** Decodes an account's data (discriminator included); throws if it is not a `name` account. */
export function decodeAccount<N extends AccountName>(name: N, data: Buffer): Accounts[N] {
  return marketplaceCoder.accounts.decode<Accounts[N]>(name, data);
}

/** The 8-byte discriminator of an account type, e.g. for `getProgramAccounts` memcmp filters. */
export function accountDiscriminator(name: AccountName): Buffer {
  return marketplaceCoder.accounts.accountDiscriminator(name);
}

/** Reads and decodes an account; `null` when it does not exist (at that commitment). */
export async function fetchAccount<N extends AccountName>(
  connection: Connection,
  name: N,
  address: PublicKey,
  commitment?: Commitment,
): Promise<Accounts[N] | null> {
  const info = await connection.getAccountInfo(address, commitment);
  return info ? decodeAccount(name, info.data) : null;
}

/** The variant name of a decoded Anchor enum: `{ subscription: {...} }` → "subscription". */
export function variantOf<E extends object>(value: E): keyof E & string {
  const [name] = Object.keys(value);
  if (!name) throw new Error("not an Anchor enum value");
  return name as keyof E & string;
}

export type LicenseKindName = "oneTime" | "subscription" | "usage";

export function licenseKindName(kind: LicenseKind): LicenseKindName {
  return variantOf(kind) as LicenseKindName;
}
