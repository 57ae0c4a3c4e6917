// What can go wrong in the marketplace, as the services say it: a code from this list, a message
// for the caller, and details where they help. Services never know HTTP; `http/errors.ts` is the
// one place that maps a code to a status.
import { EXECUTE_ERROR_CODES } from "@skill-marketplace/sdk";

const API_ERROR_CODES = [
  // The request is wrong (the message says what to change).
  "validation_failed",
  "invalid_json",
  "payload_too_large",
  "invalid_pubkey",
  "invalid_cursor",
  "invalid_docs",
  "docs_too_large",
  "invalid_review_text",
  "review_text_too_long",
  // Who is asking.
  "unauthorized",
  "forbidden",
  "not_license_holder",
  "license_not_used",
  // What is asked for.
  "not_found",
  "method_not_allowed",
  // The state says no.
  "too_many_keys",
  "skill_inactive",
  "skill_suspended",
  "review_locked",
  "license_active",
  "kind_mismatch",
  "own_skill",
  "already_licensed",
  "already_paid",
  "bound_to_other_wallet",
  "mint_missing",
  "seller_token_account_missing",
  "payment_expired",
  "link_expired",
  "rate_limited",
  // Publishing a skill (a job's error, or the publish request's).
  "source_not_allowed",
  "ref_not_found",
  "source_unavailable",
  "github_rate_limited",
  "manifest_missing",
  "invalid_manifest",
  "publisher_mismatch",
  "archive_refused",
  "scan_blocked",
  "build_failed",
  "example_failed",
  "version_not_newer",
  "builder_unavailable",
  // A part the api depends on does not answer (the health check names it).
  "unavailable",
  "internal",
] as const;

/** The api's own codes and those of execute calls (sdk execute.ts), which it relays as they come. */
export const ERROR_CODES = [...new Set([...API_ERROR_CODES, ...EXECUTE_ERROR_CODES])];

export type ErrorCode = (typeof API_ERROR_CODES)[number] | (typeof EXECUTE_ERROR_CODES)[number];

export class DomainError extends Error {
  /** Headers the answer carries (x402's PAYMENT-REQUIRED on a 402). */
  headers: Record<string, string> = {};

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** For `rate_limited`: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const invalid = (code: ErrorCode, message: string, details?: unknown) => new DomainError(code, message, details);
export const unauthorized = (message: string) => new DomainError("unauthorized", message);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const notFound = (what: string) => new DomainError("not_found", `${what} not found`);
export const refused = (code: ErrorCode, message: string, details?: unknown) => new DomainError(code, message, details);
export const rateLimited = (retryAfterSeconds: number) =>
  new DomainError("rate_limited", `too many requests; retry after ${retryAfterSeconds} s`, undefined, retryAfterSeconds);
export const unavailable = (message: string, details?: unknown) => new DomainError("unavailable", message, details);
export const methodNotAllowed = (method: string, allow: string) =>
  new DomainError("method_not_allowed", `${method} is not served here; use ${allow}`, { allow: allow.split(", ") });
