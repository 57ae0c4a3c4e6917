// Domain errors thrown by services, and the one middleware that turns any error into
// `{ "error": { "code", "message", "details"? } }` with the right status. Services never
// touch HTTP; unknown errors become a 500 without leaking internals.
import type { Logger } from "pino";
import type { ErrorRequestHandler, RequestHandler } from "express";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new ApiError(400, code, message, details);
export const unauthorized = (message: string) => new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);
export const gone = (code: string, message: string, details?: unknown) => new ApiError(410, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(429, "rate_limited", `too many requests; retry after ${retryAfterSeconds} s`, undefined, {
    "Retry-After": String(retryAfterSeconds),
  });

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, "not_found", `no route for ${req.method} ${req.path}`));
};

/** Maps every error to its status and the one error body; anything unexpected is logged and answers 500. */
export const errorMiddleware = (logger: Logger): ErrorRequestHandler => (err, req, res, _next) => {
  let error: ApiError;
  if (err instanceof ApiError) {
    error = err;
  } else if (err?.type === "entity.parse.failed") {
    error = badRequest("invalid_json", "request body is not valid JSON");
  } else if (err?.type === "entity.too.large") {
    error = new ApiError(413, "payload_too_large", "request body is too large");
  } else {
    logger.error({ err, reqId: req.id }, "unhandled error");
    error = new ApiError(500, "internal", "internal server error");
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  const body: { code: string; message: string; details?: unknown } = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  res.status(error.status).json({ error: body });
};
