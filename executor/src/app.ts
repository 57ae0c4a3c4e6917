// The executor's HTTP face, for the api (which authenticates agents and relays their calls) and
// for health checks: POST /v1/calls runs one call, GET /health says which runtime sandboxes use.
import { timingSafeEqual, createHash } from "node:crypto";
import type { Connection, PublicKey } from "@solana/web3.js";
import express, { type ErrorRequestHandler } from "express";
import { z } from "zod";
import { isPublicKey } from "@skill-marketplace/sdk";
import type { Logger } from "@skill-marketplace/kit";
import { ExecuteError } from "./errors.js";
import type { Executor } from "./executor.js";

const pubkey = z.string().refine(isPublicKey, "must be a base58 public key");

/** What the api sends for one call. */
export const CallRequest = z
  .object({
    skill: pubkey,
    /** The wallet of the agent whose API key made the call (the api checked the key). */
    agentWallet: pubkey,
    token: z.string().max(4096).optional(),
    endpoint: z.string().min(1).max(64),
    payload: z.unknown(),
  })
  .strict();

export interface Health {
  runtime: string;
  runtimeReason: string;
  meter: string;
  meterLamports?: number | null;
  warnings?: string[];
  docker: string;
}

/**
 * The meter authority's balance, and a warning when it is under `minLamports`: each settlement
 * batch costs the meter a signature fee, so an empty meter stops settlement.
 */
export async function meterHealth(connection: Connection, meter: PublicKey, minLamports: number): Promise<{ meter: string; meterLamports: number | null; warnings: string[] }> {
  const lamports = await connection.getBalance(meter, "confirmed").catch(() => null);
  const warnings =
    lamports === null
      ? ["the meter authority's balance could not be read from the chain"]
      : lamports < minLamports
        ? [`the meter authority holds ${lamports} lamports, under ${minLamports}: fund it or settlement stops`]
        : [];
  return { meter: meter.toBase58(), meterLamports: lamports, warnings };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

export function buildExecutorApp(o: { executor: Executor; secret: string; logger: Logger; health: () => Promise<Health> }) {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "1mb" }));
  const expected = digest(`Bearer ${o.secret}`);

  app.get("/health", async (_req, res) => {
    res.json({ status: "ok", ...(await o.health()) });
  });

  app.post("/v1/calls", async (req, res, next) => {
    try {
      if (!timingSafeEqual(digest(req.header("authorization") ?? ""), expected)) {
        res.status(401).json({ error: { code: "unauthorized", message: "the executor answers the api only (EXECUTOR_SECRET)" } });
        return;
      }
      const parsed = CallRequest.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        res.status(400).json({ error: { code: "validation_failed", message: `body ${issue.path.join(".") || "value"}: ${issue.message}` } });
        return;
      }
      const { phases, ...answer } = await o.executor.execute({ ...parsed.data, token: parsed.data.token });
      res.set("Server-Timing", Object.entries(phases).map(([name, ms]) => `${name};dur=${ms}`).join(", "));
      res.json(answer);
    } catch (error) {
      next(error);
    }
  });

  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof ExecuteError) {
      if (typeof err.details.retryAfter === "number") res.set("Retry-After", String(err.details.retryAfter));
      const body: Record<string, unknown> = { code: err.code, message: err.message };
      if (Object.keys(err.details).length > 0) body.details = err.details;
      res.status(err.status).json({ error: body });
      return;
    }
    if (err?.type === "entity.parse.failed") {
      res.status(400).json({ error: { code: "invalid_json", message: "request body is not valid JSON" } });
      return;
    }
    if (err?.type === "entity.too.large") {
      res.status(413).json({ error: { code: "payload_too_large", message: "request body is larger than 1 MB" } });
      return;
    }
    o.logger.error({ err }, "call failed");
    res.status(500).json({ error: { code: "internal", message: "internal error" } });
  };
  app.use(errors);
  return app;
}
