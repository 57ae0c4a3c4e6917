// The program's error codes (6000 + variant index) by the names the Rust enum gives them,
// and their recovery from a failed transaction's `err` as RPC reports it.
import type { TransactionError } from "@solana/web3.js";
import { RAW_IDL, type SkillMarketplace } from "./program.js";

/** PascalCase, exactly as `MarketplaceError` spells it and as AnchorError logs print it. */
export type MarketplaceErrorName = Capitalize<NonNullable<SkillMarketplace["errors"]>[number]["name"]>;

export interface MarketplaceErrorInfo {
  code: number;
  name: MarketplaceErrorName;
  msg: string;
}

export const MARKETPLACE_ERRORS: readonly MarketplaceErrorInfo[] = RAW_IDL.errors.map((e) => ({
  code: e.code,
  name: e.name as MarketplaceErrorName,
  msg: e.msg,
}));

const byName = new Map(MARKETPLACE_ERRORS.map((e) => [e.name, e]));
const byCode = new Map(MARKETPLACE_ERRORS.map((e) => [e.code, e]));

export function marketplaceError(name: MarketplaceErrorName): MarketplaceErrorInfo {
  const info = byName.get(name);
  if (!info) throw new Error(`unknown marketplace error ${name}`);
  return info;
}

export function marketplaceErrorByCode(code: number): MarketplaceErrorInfo | undefined {
  return byCode.get(code);
}

/**
 * The marketplace error behind a transaction error `{ InstructionError: [index, { Custom: code }] }`
 * (as in `getTransaction` meta.err or a signature status), with the failing instruction's index.
 */
export function marketplaceErrorOf(
  err: TransactionError | null | undefined,
): (MarketplaceErrorInfo & { instruction: number }) | undefined {
  if (!err || typeof err !== "object" || !("InstructionError" in err)) return undefined;
  const [instruction, detail] = (err as { InstructionError: [number, unknown] }).InstructionError;
  if (!detail || typeof detail !== "object" || !("Custom" in detail)) return undefined;
  const info = byCode.get((detail as { Custom: number }).Custom);
  return info && { ...info, instruction };
}
