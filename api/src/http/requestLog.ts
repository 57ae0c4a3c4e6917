// Request ids and one structured log line per request. Every response carries `x-request-id` (the
// caller's, when it is sane, else a new UUID); at `info` a line is written when the response
// finishes, and at quieter levels nothing is spent on it. Credentials (Authorization, Cookie, the
// MCP relay's secret) never reach the logs.
import type { NextFunction, Request, Response } from "express";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";

const SANE_ID = /^[\w-]{1,64}$/;
const SECRET_HEADERS = new Set(["authorization", "cookie", "x-skill-marketplace-relay"]);

declare module "express-serve-static-core" {
  interface Request {
    /** The request's id, as sent back in `x-request-id`. */
    id: string;
  }
}

function loggedHeaders(req: Request): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = SECRET_HEADERS.has(name) ? "[Redacted]" : value;
  return headers;
}

export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers["x-request-id"];
    req.id = typeof given === "string" && SANE_ID.test(given) ? given : randomUUID();
    res.setHeader("x-request-id", req.id);
    // At info, one line per request; above it nothing is spent per request (unexpected failures
    // are logged where they are handled, with the request id).
    if (logger.isLevelEnabled("info")) {
      const started = performance.now();
      res.once("finish", () => {
        logger.info(
          {
            req: { id: req.id, method: req.method, url: req.originalUrl, remoteAddress: req.ip, headers: loggedHeaders(req) },
            res: { statusCode: res.statusCode },
            responseTime: Math.round((performance.now() - started) * 10) / 10,
          },
          "request completed",
        );
      });
    }
    next();
  };
}
