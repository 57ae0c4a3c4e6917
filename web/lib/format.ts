// How the pages write amounts, pricing, ratings and addresses. Amounts stay exact: base units are divided as
// decimal strings, never as floating point.
import type { Skill } from "./api";

export const SOL_DECIMALS = 9;

/** `amount` base units with `decimals` places, trailing zeros dropped: "1500000", 6 → "1.5". */
export function units(amount: string, decimals: number): string {
  const digits = amount.replace(/^0+(?=\d)/, "");
  if (decimals === 0) return digits;
  const padded = digits.padStart(decimals + 1, "0");
  const whole = padded.slice(0, -decimals);
  const fraction = padded.slice(-decimals).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** An instant to the minute, in UTC: "2026-12-24 12:00 UTC". */
export const utcMinute = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export const short = (address: string) => (address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address);

/** A price with its currency: SOL, a token the marketplace knows the decimals of, or base units of a mint. */
export function price(amount: string, currency: string, decimals?: Record<string, number>): string {
  if (currency === "SOL") return `${units(amount, SOL_DECIMALS)} SOL`;
  const d = decimals?.[currency];
  return d === undefined ? `${amount} base units of ${short(currency)}` : `${units(amount, d)} ${short(currency)}`;
}

const DAY = 86_400;

export function pricing(skill: Pick<Skill, "pricing">): string {
  const p = skill.pricing;
  if (p.kind === "oneTime") return "one-time license";
  if (p.kind === "subscription") {
    const secs = p.intervalSecs ?? 0;
    return secs % DAY === 0 ? `subscription, ${secs / DAY} day${secs === DAY ? "" : "s"}` : `subscription, ${Math.round(secs / 3600)} hours`;
  }
  return `${p.unitsPerPurchase} calls`;
}

export const KIND_LABELS = { oneTime: "One-time", subscription: "Subscription", usage: "Usage" } as const;

export function rating(r: Skill["rating"]): string {
  return r.average === null ? "no ratings yet" : `${r.average.toFixed(1)} ★ (${r.count})`;
}

export function reliability(r: Skill["reliability"]): string {
  if (!r) return "not run yet";
  return `${(r.successRate * 100).toFixed(1)} % of ${r.calls} calls${r.p50Ms === null ? "" : `, ${r.p50Ms} ms median`}`;
}
