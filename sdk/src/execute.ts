// Why an execute call was refused or failed: the codes agents branch on and the HTTP status each
// answers with. One list for the executor that decides, the api that relays it, and clients.
export const EXECUTE_ERROR_STATUS = {
  license_token_missing: 401,
  license_token_invalid: 401,
  license_token_replayed: 409,
  license_holder_mismatch: 403,
  license_skill_mismatch: 403,
  license_not_found: 403,
  license_expired: 403,
  license_used_up: 403,
  marketplace_paused: 503,
  skill_inactive: 409,
  skill_suspended: 409,
  skill_not_found: 404,
  image_unavailable: 503,
  endpoint_unknown: 400,
  rate_limited: 429,
  skill_failed: 422,
  executor_unavailable: 503,
} as const;

export type ExecuteErrorCode = keyof typeof EXECUTE_ERROR_STATUS;

export const EXECUTE_ERROR_CODES = Object.keys(EXECUTE_ERROR_STATUS) as ExecuteErrorCode[];
