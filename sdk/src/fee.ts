// The platform fee, as the program splits a price (programs/skill_marketplace/src/state/marketplace.rs,
// `split_price` and `fee_at`): the only TypeScript copy of the rule, checked against the same cases as
// the program's (tests/fixtures/fee-split.json).
import type { MarketplaceAccount } from "./accounts.js";
import { BPS_DENOMINATOR } from "./constants.js";

/**
 * fee = ceil(price × feeBps / 10 000): rounded up, so every purchase of a priced skill pays a fee
 * while the rate is not zero; the seller gets the rest, so the two always add up to the price.
 */
export function splitPrice(price: bigint, feeBps: number): { sellerAmount: bigint; feeAmount: bigint } {
  if (price < 0n) throw new RangeError("price must not be negative");
  const denominator = BigInt(BPS_DENOMINATOR);
  const feeAmount = (price * BigInt(feeBps) + denominator - 1n) / denominator;
  return { sellerAmount: price - feeAmount, feeAmount };
}

/** The fee rate a purchase pays at unix time `nowSeconds`: a pending change applies from its effective time. */
export function feeAt(marketplace: Pick<MarketplaceAccount, "feeBps" | "pendingFee">, nowSeconds: number): number {
  const pending = marketplace.pendingFee;
  return pending && nowSeconds >= Number(pending.effectiveAt.toString()) ? pending.feeBps : marketplace.feeBps;
}
