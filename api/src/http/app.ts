// The api behind Express: request ids and structured logs, per-IP rate limits, remembered public
// answers, JSON bodies, the SKILL.md guide, the OpenAPI document, the /api/v1 routes, and one
// error shape for everything.
import express, { type Router } from "express";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { ResponseCache } from "../adapters/cache.js";
import type { RateLimiter } from "../adapters/rateLimit.js";
import type { Config } from "../config.js";
import type { McpHttp } from "../mcp.js";
import { sendCached } from "./cached.js";
import { errorMiddleware, notFoundRoute } from "./errors.js";
import { requestLog } from "./requestLog.js";
import { PROGRAM_ID } from "@skill-marketplace/sdk";

const SKILL_MD = readFileSync(new URL("../../SKILL.md", import.meta.url), "utf8");
const IDL_JSON = readFileSync(new URL(import.meta.resolve("@skill-marketplace/sdk/idl.json")), "utf8");

/** How an agent gets funds on each cluster. */
const FUNDS: Record<Config["SOLANA_CLUSTER"], string> = {
  localnet:
    "This is a local test chain: SOL is free. Ask its faucet, the JSON-RPC method `requestAirdrop` on the RPC URL above " +
    '(`{"jsonrpc": "2.0", "id": 1, "method": "requestAirdrop", "params": ["<your wallet>", 2000000000]}` gives 2 SOL), ' +
    "and wait for it with `getSignatureStatuses`. Tokens skills are priced in (`GET /api/v1/currencies`) come from whoever runs this marketplace.",
  devnet:
    "This is Solana's devnet: SOL has no value. Ask the cluster's faucet (`requestAirdrop` on the RPC URL above, or https://faucet.solana.com); " +
    "tokens skills are priced in (`GET /api/v1/currencies`) come from their issuers' devnet faucets.",
  testnet:
    "This is Solana's testnet: SOL has no value. Ask the cluster's faucet (`requestAirdrop` on the RPC URL above, or https://faucet.solana.com).",
  "mainnet-beta": "This is Solana's mainnet: purchases move real money. Fund your wallet with SOL (and the tokens skills are priced in) before you buy.",
};

/** SKILL.md as served: the public URL, the cluster, its RPC URL, the program and how to get funds there. */
export function guideText(config: Config, programId: string): string {
  return SKILL_MD.replaceAll("{{FUNDS}}", FUNDS[config.SOLANA_CLUSTER])
    .replaceAll("{{BASE_URL}}", config.API_PUBLIC_URL)
    .replaceAll("{{CLUSTER}}", config.SOLANA_CLUSTER)
    .replaceAll("{{RPC_URL}}", config.API_PUBLIC_RPC_URL ?? config.SOLANA_RPC_URL)
    .replaceAll("{{PROGRAM_ID}}", programId);
}
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#14151a"/>' +
  '<path d="M16 40 L32 16 L48 40 Z" fill="none" stroke="#9945ff" stroke-width="5" stroke-linejoin="round"/>' +
  '<circle cx="32" cy="44" r="5" fill="#14f195"/></svg>';

export function expressApp(deps: { router: Router; openapi: object; limiter: RateLimiter; cache: ResponseCache; logger: Logger; config: Config; mcp?: McpHttp }) {
  const { config, limiter, openapi } = deps;
  const app = express();
  app.disable("x-powered-by");
  // Per-IP limits need the client's address: behind N proxies, take it from X-Forwarded-For.
  app.set("trust proxy", config.API_TRUST_PROXY_HOPS);
  app.use(requestLog(deps.logger));
  // Headers every answer carries: no MIME sniffing, never framed, nothing loaded by what the api
  // serves; HSTS when the api is public over HTTPS.
  const https = new URL(config.API_PUBLIC_URL).protocol === "https:";
  app.use((_req, res, next) => {
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (https) res.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  });
  // The marketplace's own web app (API_CORS_ORIGINS) calls the api from people's browsers: its origins, and only
  // those, may read every answer. API keys travel in the Authorization header, never in cookies, so no other
  // site's page can make a browser act with one.
  const webOrigins = new Set(config.API_CORS_ORIGINS);
  if (webOrigins.size > 0) app.use("/api/v1", (req, res, next) => {
    const origin = req.header("origin");
    res.vary("Origin");
    if (!origin || !webOrigins.has(origin)) return next();
    res.set("Access-Control-Allow-Origin", origin);
    res.set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    res.set("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization, X-License-Token, PAYMENT-SIGNATURE");
    res.set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id, PAYMENT-REQUIRED, PAYMENT-RESPONSE");
    res.set("Access-Control-Max-Age", "600");
    if (req.method === "OPTIONS") res.status(204).end();
    else next();
  });
  // Solana Pay transaction requests come from browser wallets too: the spec requires CORS there.
  app.use("/api/v1/pay", (req, res, next) => {
    res.set("Access-Control-Allow-Origin", "*");
    res.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set("Access-Control-Allow-Headers", "Content-Type, Accept");
    if (req.method === "OPTIONS") res.status(204).end();
    else next();
  });
  app.use(async (req, _res, next) => {
    try {
      // An MCP session's own calls of the api were counted once, as the client's request to /mcp.
      if (!deps.mcp?.isRelay(req)) await limiter.hit(`ip:${req.ip}`, config.RATE_LIMIT_PER_IP);
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
  const guide = guideText(config, PROGRAM_ID.toBase58());
  app.get("/SKILL.md", (_req, res) => {
    res.type("text/markdown; charset=utf-8").send(guide);
  });
  app.get("/api/v1/idl.json", (_req, res) => {
    res.type("application/json").send(IDL_JSON);
  });
  app.get("/icon.svg", (_req, res) => {
    res.type("image/svg+xml").send(ICON_SVG);
  });
  app.get("/api/v1/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  if (deps.mcp) {
    app.all("/mcp", deps.mcp.handler("marketplace"));
    app.all("/mcp/skills/:id", deps.mcp.handler("skill"));
  }
  app.use("/api/v1", deps.router);
  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.logger));
  return app;
}
