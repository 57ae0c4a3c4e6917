// Builds the Express app from its dependencies (tests build it the same way): request ids and
// structured logs, per-IP rate limits, the /api/v1 routes, the OpenAPI document generated from the
// same schemas that validate requests, the SKILL.md guide, and one error shape for everything.
import type { Connection } from "@solana/web3.js";
import express from "express";
import type { Redis } from "ioredis";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { errorMiddleware, notFoundRoute } from "./http/errors.js";
import { ApiRouter } from "./http/route.js";
import { requestLog } from "./http/requestLog.js";
import { agentRoutes } from "./routes/agents.js";
import { paymentRoutes } from "./routes/payments.js";
import { reviewRoutes } from "./routes/reviews.js";
import { discoveryRoutes } from "./routes/discovery.js";
import { Analytics } from "./services/analytics.js";
import { sendCached, type ResponseCache } from "./services/cache.js";
import { Discovery } from "./services/discovery.js";
import type { SkillDocs } from "./services/docs.js";
import type { PrismaClient } from "./data/prisma.js";
import { Agents, type AgentStore } from "./services/agents.js";
import { Payments, type PaymentStore } from "./services/payments.js";
import { RateLimiter } from "./services/rateLimit.js";
import { Reviews } from "./services/reviews.js";
import { SignIn } from "./services/siws.js";

export interface AppDeps {
  config: Config;
  connection: Connection;
  redis: Redis;
  logger: Logger;
  agentStore: AgentStore;
  paymentStore: PaymentStore;
  prisma: PrismaClient;
  cache: ResponseCache;
  docs: SkillDocs;
}

const SKILL_MD = readFileSync(new URL("../SKILL.md", import.meta.url), "utf8");
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#14151a"/>' +
  '<path d="M16 40 L32 16 L48 40 Z" fill="none" stroke="#9945ff" stroke-width="5" stroke-linejoin="round"/>' +
  '<circle cx="32" cy="44" r="5" fill="#14f195"/></svg>';

export function buildApp(deps: AppDeps) {
  const { config } = deps;
  const limiter = new RateLimiter(deps.redis, config.RATE_LIMIT_WINDOW_SECONDS);
  const agents = new Agents(
    deps.agentStore,
    new SignIn(deps.redis, config.API_PUBLIC_URL, config.SIWS_TTL_SECONDS),
    limiter,
    config.API_KEY_SECRET,
    config.RATE_LIMIT_PER_KEY,
  );
  const payments = new Payments(deps.connection, deps.paymentStore, config.API_PUBLIC_URL);

  const api = new ApiRouter("/api/v1", agents.authenticate);
  agentRoutes(api, agents);
  paymentRoutes(api, payments, deps.connection);
  reviewRoutes(api, new Reviews(deps.connection));
  discoveryRoutes(api, new Discovery(deps.prisma, deps.docs), new Analytics(deps.prisma), deps.cache);
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
