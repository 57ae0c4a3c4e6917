// The platform fee, as the program splits a price (programs/skill_marketplace/src/state/marketplace.rs,
// `split_price`): the only TypeScript copy of the rule, checked against the same cases as the
// program's (tests/fixtures/fee-split.json).
import { BPS_DENOMINATOR } from "./constants.js";

/**
 * fee = floor(price × feeBps / 10 000), rounded down so the seller never gets less than their
 * share; the seller gets the rest, so the two always add up to the price.
 */
export function splitPrice(price: bigint, feeBps: number): { sellerAmount: bigint; feeAmount: bigint } {
  if (price < 0n) throw new RangeError("price must not be negative");
  const feeAmount = (price * BigInt(feeBps)) / BigInt(BPS_DENOMINATOR);
  return { sellerAmount: price - feeAmount, feeAmount };
}
