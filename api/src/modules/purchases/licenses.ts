// A buyer's license as the api shows it, with its status by the sdk's one rule (`licenseStatus`).
import {
  closeLicense,
  fetchAccount,
  licenseKindName,
  licenseSpent,
  licenseStatus,
  marketplaceProgram,
  unsignedTransaction,
  type LicenseAccount,
  type LicenseKindName,
  type LicenseStatus,
} from "@skill-marketplace/sdk";
import { PublicKey, type Connection } from "@solana/web3.js";
import { COMMITMENT, licenseState, licenseStates, type LicenseState } from "../../adapters/chain.js";
import { notFound, refused } from "../../errors.js";

export interface LicenseView {
  address: string;
  skill: string;
  buyer: string;
  kind: LicenseKindName;
  purchasedAt: number;
  /** Unix seconds; null unless a subscription. */
  expiresAt: number | null;
  /** Units bought and used; null unless usage-based. */
  unitsLimit: string | null;
  unitsUsed: string | null;
  unitsLeft: string | null;
  purchases: number;
  status: LicenseStatus;
  /** status = valid: the license can be used now. */
  valid: boolean;
}

export function licenseView(state: LicenseState & { license: { address: PublicKey; account: LicenseAccount } }, nowSeconds: number): LicenseView {
  const { address, account: license } = state.license;
  const kind = licenseKindName(license.kind);
  const limit = BigInt(license.usageLimit.toString());
  const used = BigInt(license.usageUsed.toString());
  const status = licenseStatus(license, state.skill, state.marketplace, nowSeconds);
  return {
    address: address.toBase58(),
    skill: license.skill.toBase58(),
    buyer: license.buyer.toBase58(),
    kind,
    purchasedAt: Number(license.purchasedAt.toString()),
    expiresAt: kind === "subscription" ? Number(license.expiresAt.toString()) : null,
    unitsLimit: kind === "usage" ? limit.toString() : null,
    unitsUsed: kind === "usage" ? used.toString() : null,
    unitsLeft: kind === "usage" ? (limit - used).toString() : null,
    purchases: license.purchases,
    status,
    valid: status === "valid",
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The indexed licenses of a buyer in address order, after the license `after` (a page's cursor). */
export type LicenseIndex = (buyer: string, take: number, after?: string) => Promise<{ address: string; skill: string }[]>;

/** Most licenses listed on one page: each costs two accounts of one getMultipleAccounts (at most 100). */
export const MAX_LICENSES_PER_PAGE = 40;

export class Licenses {
  private program: ReturnType<typeof marketplaceProgram> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly index?: LicenseIndex,
  ) {}

  /** `buyer`'s licenses as the chain holds them now (the index says which), in address order; a cursor while more remain. */
  async list(buyer: PublicKey, limit: number, cursor?: string): Promise<{ licenses: LicenseView[]; nextCursor: string | null }> {
    if (!this.index) throw new Error("no license index");
    const rows = await this.index(buyer.toBase58(), limit + 1, cursor);
    const page = rows.slice(0, limit);
    const states = await licenseStates(this.connection, page.map((r) => ({ address: new PublicKey(r.address), skill: new PublicKey(r.skill) })));
    const now = nowSeconds();
    return { licenses: states.map((s) => licenseView(s, now)), nextCursor: rows.length > limit ? page[page.length - 1]!.address : null };
  }

  /** `buyer`'s license to `skill`, or null when they hold none; not_found when the skill does not exist. */
  async read(skill: PublicKey, buyer: PublicKey): Promise<LicenseView | null> {
    const state = await licenseState(this.connection, skill, buyer);
    return state.license ? licenseView({ ...state, license: state.license }, nowSeconds()) : null;
  }

  /**
   * The unsigned close_license transaction for `wallet`'s spent license at `address`: the license's rent goes
   * back to the wallet. Another wallet's license is not found (nothing about it is revealed); a license still in
   * its term is refused, as the program would.
   */
  async closeTransaction(wallet: PublicKey, address: PublicKey) {
    const [account, info] = await Promise.all([fetchAccount(this.connection, "license", address, COMMITMENT), this.connection.getAccountInfo(address, COMMITMENT)]);
    if (!account || !info || !account.buyer.equals(wallet)) throw notFound(`license ${address.toBase58()} of ${wallet.toBase58()}`);
    if (!licenseSpent(account, nowSeconds())) {
      const kind = licenseKindName(account.kind);
      throw refused(
        "license_active",
        kind === "oneTime" ? "a one-time license never ends, so it cannot be closed" : `the license is still in its term (${kind === "usage" ? "calls are left" : "not expired yet"}): only a spent license can be closed`,
      );
    }
    this.program ??= marketplaceProgram({ connection: this.connection });
    const instruction = await closeLicense(this.program, { buyer: wallet, skill: account.skill }).instruction();
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash(COMMITMENT);
    return { transaction: unsignedTransaction(wallet, [instruction], blockhash), refundLamports: String(info.lamports), lastValidBlockHeight: String(lastValidBlockHeight) };
  }

  /** Whether `wallet` may use `skill` now, and the license that says so. */
  async verify(skill: PublicKey, wallet: PublicKey): Promise<{ valid: boolean; license: LicenseView | null }> {
    const license = await this.read(skill, wallet);
    return { valid: license?.valid ?? false, license };
  }
}
