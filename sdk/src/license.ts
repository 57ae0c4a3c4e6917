// When a license can be used: the one rule the api, the executor and the web app read, written
// after what the program accepts in `record_usage` (state/license.rs `consume`, marketplace
// `require_open`, skill `require_usable`). Pure: the caller reads the accounts and the clock.
import type { LicenseAccount, MarketplaceAccount, SkillAccount } from "./accounts.js";
import { licenseKindName } from "./accounts.js";

export type LicenseStatus =
  /** Usable now. */
  | "valid"
  /** A subscription whose period has ended (renew to extend it). */
  | "expired"
  /** A usage license whose units are all used (top up to add more). */
  | "usedUp"
  /** The marketplace is paused: no usage is recorded for anyone. */
  | "paused"
  /** The seller delisted the skill: it is not run. */
  | "inactive"
  /** The marketplace suspended the skill: nothing is sold or run until the suspension is lifted. */
  | "suspended";

/** Every status, for schemas that list them. */
export const LICENSE_STATUSES = ["valid", "expired", "usedUp", "paused", "inactive", "suspended"] as const satisfies readonly LicenseStatus[];

/** Why a status other than "valid" stops a call, in words a buyer can act on. */
export const LICENSE_STATUS_REASONS: Record<Exclude<LicenseStatus, "valid">, string> = {
  expired: "the subscription has expired; buy again to renew it",
  usedUp: "every unit of this license has been used; buy again to top it up",
  paused: "the marketplace is paused",
  inactive: "the skill has been delisted by its seller",
  suspended: "the skill is suspended by the marketplace",
};

type LicenseFields = Pick<LicenseAccount, "kind" | "expiresAt" | "usageLimit" | "usageUsed">;

/** The status of `license` to `skill` at unix time `nowSeconds`. */
export function licenseStatus(
  license: LicenseFields,
  skill: Pick<SkillAccount, "active" | "suspended">,
  marketplace: Pick<MarketplaceAccount, "paused">,
  nowSeconds: number,
): LicenseStatus {
  if (marketplace.paused) return "paused";
  if (skill.suspended) return "suspended";
  if (!skill.active) return "inactive";
  return termStatus(license, nowSeconds);
}

/**
 * Whether the license's own term is over at `nowSeconds` (state/license.rs `is_spent`): an expired subscription,
 * a usage license with every unit used; never a one-time license. Only a spent license can be closed.
 */
export function licenseSpent(license: LicenseFields, nowSeconds: number): boolean {
  return termStatus(license, nowSeconds) !== "valid";
}

/** Whether the license's own term allows use at `nowSeconds` (state/license.rs `is_spent`). */
function termStatus(license: LicenseFields, nowSeconds: number): "valid" | "expired" | "usedUp" {
  switch (licenseKindName(license.kind)) {
    case "oneTime":
      return "valid";
    case "subscription":
      // The program accepts usage while now < expires_at.
      return nowSeconds < Number(license.expiresAt.toString()) ? "valid" : "expired";
    case "usage":
      return BigInt(license.usageUsed.toString()) < BigInt(license.usageLimit.toString()) ? "valid" : "usedUp";
  }
}

/**
 * Whether a license may review its skill (state/license.rs `can_review`, and `is_spent` for an
 * existing review): "ok"; "notUsed" for a usage license with no unit recorded yet (or a license
 * nobody paid for); "lapsed" when an existing review can no longer be changed, only deleted.
 */
export function reviewRight(
  license: Pick<LicenseAccount, "kind" | "expiresAt" | "usageLimit" | "usageUsed" | "paid">,
  nowSeconds: number,
  existingReview: boolean,
): "ok" | "notUsed" | "lapsed" {
  if (existingReview && termStatus(license, nowSeconds) !== "valid") return "lapsed";
  const paid = BigInt(license.paid.toString()) > 0n;
  const used = licenseKindName(license.kind) !== "usage" || BigInt(license.usageUsed.toString()) > 0n;
  return paid && used ? "ok" : "notUsed";
}
