// The one place that turns an error into HTTP: each domain error code's status, and the
// middleware that answers `{ "error": { "code", "message", "details"? } }`. Unknown errors become
// a 500 without leaking internals.
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { EXECUTE_ERROR_STATUS } from "@skill-marketplace/sdk";
import { DomainError, invalid, type ErrorCode } from "../errors.js";

export const STATUS: Record<ErrorCode, number> = {
  ...EXECUTE_ERROR_STATUS,
  validation_failed: 400,
  invalid_json: 400,
  payload_too_large: 413,
  invalid_pubkey: 400,
  invalid_cursor: 400,
  invalid_docs: 400,
  docs_too_large: 400,
  invalid_review_text: 400,
  review_text_too_long: 400,
  unauthorized: 401,
  forbidden: 403,
  not_license_holder: 403,
  license_not_used: 403,
  license_active: 409,
  not_found: 404,
  method_not_allowed: 405,
  too_many_keys: 409,
  skill_inactive: 409,
  skill_suspended: 409,
  review_locked: 409,
  kind_mismatch: 409,
  own_skill: 409,
  already_licensed: 409,
  already_paid: 409,
  bound_to_other_wallet: 409,
  mint_missing: 409,
  seller_token_account_missing: 409,
  payment_expired: 410,
  link_expired: 410,
  rate_limited: 429,
  source_not_allowed: 400,
  ref_not_found: 404,
  source_unavailable: 503,
  github_rate_limited: 429,
  manifest_missing: 422,
  invalid_manifest: 422,
  publisher_mismatch: 403,
  archive_refused: 422,
  scan_blocked: 422,
  build_failed: 422,
  example_failed: 422,
  version_not_newer: 409,
  builder_unavailable: 503,
  unavailable: 503,
  internal: 500,
};

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new DomainError("not_found", `no route for ${req.method} ${req.path}`));
};

/** Maps every error to its status and the one error body; anything unexpected is logged and answers 500. */
export const errorMiddleware = (logger: Logger): ErrorRequestHandler => (err, req, res, _next) => {
  let error: DomainError;
  if (err instanceof DomainError) {
    error = err;
  } else if (err?.type === "entity.parse.failed") {
    error = invalid("invalid_json", "request body is not valid JSON");
  } else if (err?.type === "entity.too.large") {
    error = invalid("payload_too_large", "request body is too large");
  } else {
    logger.error({ err, reqId: req.id }, "unhandled error");
    error = new DomainError("internal", "internal server error");
  }
  if (error.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(error.retryAfterSeconds));
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  const body: { code: string; message: string; details?: unknown } = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  res.status(STATUS[error.code]).json({ error: body });
};
