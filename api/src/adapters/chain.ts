// What the api reads from the chain, through the sdk only: skills, licenses, the marketplace, and
// a recent blockhash. Only accounts our program owns count: a look-alike account elsewhere is none.
import {
  decodeOwned,
  licensePda,
  marketplacePda,
  publicKeyOrNull,
  type LicenseAccount,
  type MarketplaceAccount,
  type SkillAccount,
} from "@skill-marketplace/sdk";
import { Connection, PublicKey, type AccountInfo, type BlockhashWithExpiryBlockHeight, type Commitment } from "@solana/web3.js";
import { invalid, notFound } from "../errors.js";

export const COMMITMENT: Commitment = "confirmed";

/** The key `value` spells, or an invalid_pubkey error naming `what`. */
export function keyOf(value: string, what: string): PublicKey {
  const key = publicKeyOrNull(value);
  if (!key) throw invalid("invalid_pubkey", `${what} must be a base58 public key`);
  return key;
}

/** The skill in a fetched account, or not_found when there is none (absent, another program's, not a Skill). */
function skillIn(id: PublicKey, info: AccountInfo<Buffer> | null | undefined): SkillAccount {
  let skill: SkillAccount | null;
  try {
    skill = decodeOwned("skill", info);
  } catch {
    skill = null; // the program's account, but not a Skill
  }
  if (!skill) throw notFound(`skill ${id.toBase58()}`);
  return skill;
}

export async function requireSkill(connection: Connection, id: PublicKey): Promise<SkillAccount> {
  return skillIn(id, await connection.getAccountInfo(id, COMMITMENT));
}

export interface LicenseState {
  skill: SkillAccount;
  marketplace: MarketplaceAccount;
  /** The buyer's license and its address; null when the buyer holds none. */
  license: { address: PublicKey; account: LicenseAccount } | null;
}

/**
 * The skill, the buyer's license to it and the marketplace, in one read (one RPC round trip):
 * what a purchase and a license check both need. not_found when the skill does not exist.
 */
export async function licenseState(connection: Connection, skillKey: PublicKey, buyer: PublicKey): Promise<LicenseState> {
  const address = licensePda(skillKey, buyer);
  const [skillInfo, licenseInfo, marketplaceInfo] = await connection.getMultipleAccountsInfo([skillKey, address, marketplacePda()], COMMITMENT);
  const skill = skillIn(skillKey, skillInfo);
  const marketplace = decodeOwned("marketplace", marketplaceInfo);
  if (!marketplace) throw new Error("the marketplace is not initialized on this cluster");
  const account = decodeOwned("license", licenseInfo);
  return { skill, marketplace, license: account ? { address, account } : null };
}

/**
 * The licenses at `addresses` (each to the skill the index names) with their skills and the marketplace, in one
 * read; a license closed since it was indexed is left out.
 */
export async function licenseStates(connection: Connection, licenses: { address: PublicKey; skill: PublicKey }[]): Promise<(LicenseState & { license: NonNullable<LicenseState["license"]> })[]> {
  const skills = [...new Map(licenses.map((l) => [l.skill.toBase58(), l.skill])).values()];
  const infos = await connection.getMultipleAccountsInfo([marketplacePda(), ...licenses.map((l) => l.address), ...skills], COMMITMENT);
  const marketplace = decodeOwned("marketplace", infos[0]);
  if (!marketplace) throw new Error("the marketplace is not initialized on this cluster");
  const skillOf = new Map(skills.map((key, i) => [key.toBase58(), infos[1 + licenses.length + i]]));
  return licenses.flatMap(({ address, skill }, i) => {
    const account = decodeOwned("license", infos[1 + i]);
    return account ? [{ skill: skillIn(skill, skillOf.get(skill.toBase58())), marketplace, license: { address, account } }] : [];
  });
}

/**
 * A recent blockhash shared by concurrent requests: asked of the node at most once per `maxAgeMs`
 * (a blockhash lives about 150 slots, so one a second old costs a wallet a second of its minute).
 */
export class RecentBlockhash {
  private latest: { at: number; value: Promise<BlockhashWithExpiryBlockHeight> } | null = null;

  constructor(
    private readonly connection: Connection,
    private readonly maxAgeMs = 1_000,
  ) {}

  get(): Promise<BlockhashWithExpiryBlockHeight> {
    const now = Date.now();
    if (!this.latest || now - this.latest.at > this.maxAgeMs) {
      const value = this.connection.getLatestBlockhash(COMMITMENT);
      this.latest = { at: now, value };
      // A failed read is not shared with later requests.
      value.catch(() => {
        if (this.latest?.value === value) this.latest = null;
      });
    }
    return this.latest.value;
  }
}
