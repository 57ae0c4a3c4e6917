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
  /** x402: this call needs a payment (PAYMENT-REQUIRED says which). */
  payment_required: 402,
  /** x402: the payment sent is not the one asked for, or cannot land (details.reason says why). */
  payment_invalid: 402,
  /** x402: the skill is not paid per call (buy a license instead). */
  payment_not_accepted: 409,
  /** x402: the run succeeded but its payment did not land: nothing was charged and the result is withheld. */
  payment_failed: 502,
} as const;

export type ExecuteErrorCode = keyof typeof EXECUTE_ERROR_STATUS;

export const EXECUTE_ERROR_CODES = Object.keys(EXECUTE_ERROR_STATUS) as ExecuteErrorCode[];
