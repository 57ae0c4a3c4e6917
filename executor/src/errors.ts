// Why the executor refused or failed a call: a code agents can branch on, the HTTP status the api
// answers with, and words a person can act on. Every refusal happens before a container starts.
export type ExecuteErrorCode =
  | "license_token_missing"
  | "license_token_invalid"
  | "license_token_replayed"
  | "license_holder_mismatch"
  | "license_skill_mismatch"
  | "license_not_found"
  | "license_expired"
  | "license_used_up"
  | "marketplace_paused"
  | "skill_inactive"
  | "skill_suspended"
  | "skill_not_found"
  | "image_unavailable"
  | "image_mismatch"
  | "endpoint_unknown"
  | "rate_limited"
  | "skill_failed";

export const EXECUTE_ERROR_STATUS: Record<ExecuteErrorCode, number> = {
  license_token_missing: 401,
  license_token_invalid: 401,
  license_token_replayed: 409,
  license_holder_mismatch: 403,
  license_skill_mismatch: 403,
  license_not_found: 403,
  license_expired: 403,
  license_used_up: 403,
  marketplace_paused: 503,
  skill_inactive: 410,
  skill_suspended: 403,
  skill_not_found: 404,
  image_unavailable: 503,
  image_mismatch: 409,
  endpoint_unknown: 400,
  rate_limited: 429,
  skill_failed: 422,
};

export class ExecuteError extends Error {
  readonly status: number;
  constructor(
    readonly code: ExecuteErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = EXECUTE_ERROR_STATUS[code];
  }
}
