// Builds the Express app from its dependencies (tests build it the same way): request ids and
// structured logs, per-IP rate limits, the /api/v1 routes, the OpenAPI document generated from the
// same schemas that validate requests, the SKILL.md guide, and one error shape for everything.
import type { Connection } from "@solana/web3.js";
import express from "express";
import type { Redis } from "ioredis";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { ResponseCache } from "./adapters/cache.js";
import type { SkillDocs } from "./adapters/ipfs.js";
import { RateLimiter } from "./adapters/rateLimit.js";
import type { Config } from "./config.js";
import type { Stores } from "./db.js";
import { sendCached } from "./http/cached.js";
import { errorMiddleware, notFoundRoute } from "./http/errors.js";
import { requestLog } from "./http/requestLog.js";
import { ApiRouter } from "./http/route.js";
import { AgentDirectory } from "./modules/agents/directory.js";
import { agentRoutes } from "./modules/agents/routes.js";
import { Agents } from "./modules/agents/service.js";
import { SignIn } from "./modules/agents/signIn.js";
import { analyticsRoutes } from "./modules/analytics/routes.js";
import { Analytics } from "./modules/analytics/service.js";
import { Licenses } from "./modules/purchases/licenses.js";
import { purchaseRoutes } from "./modules/purchases/routes.js";
import { Payments } from "./modules/purchases/service.js";
import { reviewRoutes } from "./modules/reviews/routes.js";
import { Reviews } from "./modules/reviews/service.js";
import { skillRoutes } from "./modules/skills/routes.js";
import { Skills } from "./modules/skills/service.js";

export interface AppDeps {
  config: Config;
  connection: Connection;
  redis: Redis;
  logger: Logger;
  stores: Stores;
  cache: ResponseCache;
  docs: SkillDocs;
}

const SKILL_MD = readFileSync(new URL("../SKILL.md", import.meta.url), "utf8");
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#14151a"/>' +
  '<path d="M16 40 L32 16 L48 40 Z" fill="none" stroke="#9945ff" stroke-width="5" stroke-linejoin="round"/>' +
  '<circle cx="32" cy="44" r="5" fill="#14f195"/></svg>';

export function buildApp(deps: AppDeps) {
  const { config, stores } = deps;
  const limiter = new RateLimiter(deps.redis, config.RATE_LIMIT_WINDOW_SECONDS);
  const agents = new Agents(
    stores.agentStore,
    new SignIn(deps.redis, config.API_PUBLIC_URL, config.SIWS_TTL_SECONDS),
    limiter,
    config.API_KEY_SECRET,
    config.RATE_LIMIT_PER_KEY,
  );
  const payments = new Payments(deps.connection, stores.paymentStore, config.API_PUBLIC_URL);

  const api = new ApiRouter("/api/v1", agents.authenticate);
  agentRoutes(api, agents, new AgentDirectory(stores.agentDirectoryStore, stores.skillStore));
  purchaseRoutes(api, payments, new Licenses(deps.connection));
  reviewRoutes(api, new Reviews(deps.connection, stores.reviewStore, stores.skillStore));
  skillRoutes(api, new Skills(stores.skillStore, stores.reviewStore, deps.docs), deps.cache);
  analyticsRoutes(api, new Analytics(stores.analyticsStore, stores.skillStore));
  const openapi = api.document(
    {
      title: "Skill marketplace API",
      version: "1.0.0",
      description: "Agents register with a signed message, find skills, buy licenses with Solana Pay, and review them.",
    },
    config.API_PUBLIC_URL,
  );

  const app = express();
  app.disable("x-powered-by");
  // Per-IP limits need the client's address: behind N proxies, take it from X-Forwarded-For.
  app.set("trust proxy", config.API_TRUST_PROXY_HOPS);
  app.use(requestLog(deps.logger));
  app.use(async (req, _res, next) => {
    try {
      await limiter.hit(`ip:${req.ip}`, config.RATE_LIMIT_PER_IP);
      next();
    } catch (error) {
      next(error);
    }
  });
  // A repeated public discovery request (same URL, same cache generation) is answered from
  // memory here, after its rate limit and before routing and validation, which would only
  // arrive at the same remembered answer.
  app.use((req, res, next) => {
    const answer = req.method === "GET" ? deps.cache.byUrl(req.originalUrl) : undefined;
    if (answer) sendCached(req, res, answer);
    else next();
  });
  app.use(express.json({ limit: "64kb" }));
  app.get("/SKILL.md", (_req, res) => {
    res.type("text/markdown; charset=utf-8").send(SKILL_MD.replaceAll("{{BASE_URL}}", config.API_PUBLIC_URL));
  });
  app.get("/icon.svg", (_req, res) => {
    res.type("image/svg+xml").send(ICON_SVG);
  });
  app.get("/api/v1/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  app.use("/api/v1", api.router);
  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.logger));
  return { app, api, openapi };
}
