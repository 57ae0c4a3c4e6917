// Typed views of the program's accounts, decoded with the IDL's Borsh layout, and the enum
// helpers the rest of the code needs to read them (licence kind, pricing).
import type { IdlAccounts, IdlTypes } from "@coral-xyz/anchor";
import { Connection, PublicKey, type AccountInfo, type Commitment } from "@solana/web3.js";
import { marketplaceCoder, PROGRAM_ID, type SkillMarketplace } from "./program.js";

type Accounts = IdlAccounts<SkillMarketplace>;
export type AccountName = keyof Accounts;
export type MarketplaceAccount = Accounts["marketplace"];
export type AgentAccount = Accounts["agent"];
export type SkillAccount = Accounts["skill"];
export type LicenseAccount = Accounts["license"];
export type ReviewAccount = Accounts["review"];
export type CurrencyAccount = Accounts["currency"];
export type MeterAuthorityAccount = Accounts["meterAuthority"];
export type FeeVaultAccount = Accounts["feeVault"];

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

/**
 * Decodes a fetched account as a `name` account of the program; `null` when there is none or when
 * another program owns it (anyone can give an account of theirs our layout). Throws if the
 * program's account is not a `name` account.
 */
export function decodeOwned<N extends AccountName>(name: N, info: AccountInfo<Buffer> | null | undefined, programId: PublicKey = PROGRAM_ID): Accounts[N] | null {
  return info && info.owner.equals(programId) ? decodeAccount(name, info.data) : null;
}

/** Reads and decodes an account; `null` when it does not exist (at that commitment) or is not the program's. */
export async function fetchAccount<N extends AccountName>(
  connection: Connection,
  name: N,
  address: PublicKey,
  commitment?: Commitment,
): Promise<Accounts[N] | null> {
  return decodeOwned(name, await connection.getAccountInfo(address, commitment));
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

/** The kind of license a skill's pricing sells (the variants share their names). */
export function pricingKindName(pricing: Pricing): LicenseKindName {
  return variantOf(pricing) as LicenseKindName;
}
