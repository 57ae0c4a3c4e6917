// The executor's HTTP face, for the api (which authenticates agents and relays their calls) and
// for health checks: POST /v1/calls runs one call, GET /health says which runtime sandboxes use.
import { timingSafeEqual, createHash } from "node:crypto";
import type { Connection, PublicKey } from "@solana/web3.js";
import express, { type ErrorRequestHandler } from "express";
import { z } from "zod";
import { isPublicKey, MAX_SOURCE_BYTES, SkillManifest } from "@skill-marketplace/sdk";
import type Docker from "dockerode";
import { BuildFailed, buildSkillImage, removeImage, runExamples } from "./build.js";
import type { Sandbox } from "./sandbox.js";
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

/** A call paid with x402: no API key, no license; the payment (PAYMENT-SIGNATURE) or nothing, to learn the price. */
export const PaidCallRequest = z
  .object({
    skill: pubkey,
    payment: z.string().min(1).max(16_384).optional(),
    endpoint: z.string().min(1).max(64),
    payload: z.unknown(),
  })
  .strict();

/** What publishing sends to build a skill: its checked manifest and files (base64). */
export const BuildRequest = z
  .object({
    manifest: SkillManifest,
    files: z.array(z.object({ path: z.string().min(1).max(1_000), mode: z.number().int().min(0).max(0o7777), data: z.string() }).strict()).max(5_000),
  })
  .strict();

const ImageId = z.string().regex(/^sha256:[0-9a-f]{64}$/);

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

export function buildExecutorApp(o: {
  executor: Executor;
  secret: string;
  logger: Logger;
  health: () => Promise<Health>;
  /** The engine and sandbox publishing builds and tries images on; without one, no build routes. */
  builder?: { docker: Docker; sandbox: Sandbox };
}) {
  const app = express();
  app.disable("x-powered-by");
  const expected = digest(`Bearer ${o.secret}`);
  const authorized: express.RequestHandler = (req, res, next) => {
    if (timingSafeEqual(digest(req.header("authorization") ?? ""), expected)) return next();
    res.status(401).json({ error: { code: "unauthorized", message: "the executor answers the api only (EXECUTOR_SECRET)" } });
  };
  const invalid = (res: express.Response, error: z.ZodError) => {
    const issue = error.issues[0]!;
    res.status(400).json({ error: { code: "validation_failed", message: `body ${issue.path.join(".") || "value"}: ${issue.message}` } });
  };

  app.get("/health", async (_req, res) => {
    res.json({ status: "ok", ...(await o.health()) });
  });

  app.post("/v1/calls", authorized, express.json({ limit: "1mb" }), async (req, res, next) => {
    try {
      const parsed = CallRequest.safeParse(req.body);
      if (!parsed.success) return invalid(res, parsed.error);
      const { phases, ...answer } = await o.executor.execute({ ...parsed.data, token: parsed.data.token });
      res.set("Server-Timing", Object.entries(phases).map(([name, ms]) => `${name};dur=${ms}`).join(", "));
      res.json(answer);
    } catch (error) {
      next(error);
    }
  });

  // What one call of a skill costs over x402 (as a 402 would ask now): for the api's skill details.
  app.get("/v1/paid-calls/:skill/requirements", authorized, async (req, res, next) => {
    try {
      const skill = String(req.params.skill);
      if (!isPublicKey(skill)) {
        res.status(400).json({ error: { code: "validation_failed", message: "skill: must be a base58 public key" } });
        return;
      }
      res.json({ requirements: await o.executor.paymentRequirements(skill) });
    } catch (error) {
      next(error);
    }
  });

  app.post("/v1/paid-calls", authorized, express.json({ limit: "1mb" }), async (req, res, next) => {
    try {
      const parsed = PaidCallRequest.safeParse(req.body);
      if (!parsed.success) return invalid(res, parsed.error);
      res.json(await o.executor.executePaid(parsed.data));
    } catch (error) {
      next(error);
    }
  });

  if (o.builder) {
    const { docker, sandbox } = o.builder;
    // Base64 makes the files a third larger; the api checked the source against MAX_SOURCE_BYTES.
    const sources = express.json({ limit: Math.ceil((MAX_SOURCE_BYTES * 4) / 3) + 1024 * 1024 });
    app.post("/v1/builds", authorized, sources, async (req, res, next) => {
      try {
        const parsed = BuildRequest.safeParse(req.body);
        if (!parsed.success) return invalid(res, parsed.error);
        const files = parsed.data.files.map((f) => ({ path: f.path, mode: f.mode, data: Buffer.from(f.data, "base64") }));
        const started = performance.now();
        const built = await buildSkillImage(docker, parsed.data.manifest, files);
        o.logger.info({ image: built.imageId, skill: `${parsed.data.manifest.publisher}/${parsed.data.manifest.slug}` }, "skill image built");
        res.json({ imageId: built.imageId, log: built.log, durationMs: Math.round(performance.now() - started) });
      } catch (error) {
        if (error instanceof BuildFailed) {
          res.status(422).json({ error: { code: "build_failed", message: error.message, details: { log: error.log } } });
          return;
        }
        next(error);
      }
    });
    app.post("/v1/builds/:image/examples", authorized, express.json({ limit: "1mb" }), async (req, res, next) => {
      try {
        const image = ImageId.safeParse(req.params.image);
        const manifest = SkillManifest.safeParse(req.body?.manifest);
        if (!image.success) return invalid(res, image.error);
        if (!manifest.success) return invalid(res, manifest.error);
        res.json({ runs: await runExamples(sandbox, image.data, manifest.data) });
      } catch (error) {
        next(error);
      }
    });
    app.delete("/v1/images/:image", authorized, async (req, res, next) => {
      try {
        const image = ImageId.safeParse(req.params.image);
        if (!image.success) return invalid(res, image.error);
        await removeImage(docker, image.data);
        res.status(204).end();
      } catch (error) {
        next(error);
      }
    });
  }

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
      res.status(413).json({ error: { code: "payload_too_large", message: "request body is too large" } });
      return;
    }
    o.logger.error({ err }, "call failed");
    res.status(500).json({ error: { code: "internal", message: "internal error" } });
  };
  app.use(errors);
  return app;
}
