// What a skill sells at a given time: a new version and a price increase wait for the
// marketplace's notice period (programs/skill_marketplace/src/state/skill.rs, `price_at` and
// `version_at`). Pure: the caller reads the account (or the indexer's row) and the clock.
import type { Provenance, Semver, SkillAccount } from "./accounts.js";

type Pending = Pick<SkillAccount, "price" | "version" | "provenance" | "pendingVersion" | "pendingPrice">;

const due = (pending: { effectiveAt: { toString(): string } } | null, nowSeconds: number) =>
  pending !== null && nowSeconds >= Number(pending.effectiveAt.toString());

/** The price a purchase pays at unix time `nowSeconds`, in base units. */
export function priceAt(skill: Pending, nowSeconds: number): bigint {
  return BigInt((due(skill.pendingPrice, nowSeconds) ? skill.pendingPrice!.price : skill.price).toString());
}

/** The version buyers get (and the executor runs) at unix time `nowSeconds`. */
export function versionAt(skill: Pending, nowSeconds: number): { version: Semver; provenance: Provenance } {
  const pending = skill.pendingVersion;
  return due(pending, nowSeconds) ? { version: pending!.version, provenance: pending!.provenance } : { version: skill.version, provenance: skill.provenance };
}

/** A version as every table and receipt writes it: "major.minor.patch". */
export function semverText(v: Pick<Semver, "major" | "minor" | "patch">): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
