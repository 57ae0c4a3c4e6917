// Assembles the api from its dependencies (tests build it the same way): the adapters, each
// feature's service and routes, the OpenAPI document generated from the same schemas that validate
// requests; `http/app.ts` puts them behind Express.
import type { Connection } from "@solana/web3.js";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ResponseCache } from "./adapters/cache.js";
import type { SkillDocs } from "./adapters/ipfs.js";
import { RateLimiter } from "./adapters/rateLimit.js";
import type { Config } from "./config.js";
import type { Stores } from "./db.js";
import { expressApp } from "./http/app.js";
import { ApiRouter } from "./http/route.js";
import { AgentDirectory } from "./modules/agents/directory.js";
import { agentRoutes } from "./modules/agents/routes.js";
import { Agents } from "./modules/agents/service.js";
import { SignIn } from "./modules/agents/signIn.js";
import { executeRoutes, executeUrl, receiptRoutes } from "./modules/execute/routes.js";
import { Execute } from "./modules/execute/service.js";
import { healthRoutes } from "./modules/health/routes.js";
import { ExecutorBuilder } from "./modules/publishing/builder.js";
import { publishingRoutes } from "./modules/publishing/routes.js";
import { Publishing } from "./modules/publishing/service.js";
import { Sources } from "./modules/publishing/source.js";
import { Health } from "./modules/health/service.js";
import { analyticsRoutes } from "./modules/analytics/routes.js";
import { Analytics } from "./modules/analytics/service.js";
import { Licenses } from "./modules/purchases/licenses.js";
import { McpHttp } from "./mcp.js";
import { purchaseRoutes } from "./modules/purchases/routes.js";
import { Payments } from "./modules/purchases/service.js";
import { ReviewTexts } from "./modules/reviews/texts.js";
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

export function buildApp(deps: AppDeps) {
  const { config, stores } = deps;
  const limiter = new RateLimiter(deps.redis, config.RATE_LIMIT_WINDOW_SECONDS);
  const agents = new Agents(
    stores.agentStore,
    new SignIn(deps.redis, config.API_PUBLIC_URL, config.SIWS_TTL_SECONDS, () => deps.connection.getGenesisHash()),
    limiter,
    config.API_KEY_SECRET,
    config.RATE_LIMIT_PER_KEY,
  );
  const licenses = new Licenses(deps.connection, stores.licenseIndex);
  const payments = new Payments(deps.connection, stores.paymentStore, licenses, {
    publicUrl: config.API_PUBLIC_URL,
    // Link tokens are keyed by the same deployment secret as API keys, under their own label.
    linkSecret: config.API_KEY_SECRET,
    linkTtlSeconds: config.PAYMENT_LINK_TTL_SECONDS,
  });

  const api = new ApiRouter("/api/v1", agents.authenticate);
  agentRoutes(api, agents, new AgentDirectory(stores.agentDirectoryStore, stores.skillStore));
  purchaseRoutes(api, payments, licenses);
  const reviewTexts = new ReviewTexts(deps.docs.blocks);
  reviewRoutes(api, new Reviews(deps.connection, stores.reviewStore, stores.skillStore, reviewTexts));
  const execute = config.EXECUTOR_URL ? new Execute({ executorUrl: config.EXECUTOR_URL, secret: config.EXECUTOR_SECRET }) : null;
  const payPerCall = execute ? { requirements: (skill: string) => execute.requirements(skill), url: (skill: string) => executeUrl(config.API_PUBLIC_URL, skill) } : undefined;
  const skills = new Skills(stores.skillStore, stores.reviewStore, deps.docs, reviewTexts, payPerCall);
  skillRoutes(api, skills, deps.cache);
  analyticsRoutes(api, new Analytics(stores.analyticsStore, stores.skillStore));
  receiptRoutes(api, stores.receipts);
  if (execute) executeRoutes(api, execute, skills);
  // Publishing builds on an executor: without one the paths do not exist (as for execute).
  const publishing = new Publishing({
    store: stores.publishStore,
    sources: new Sources({ githubApiUrl: config.GITHUB_API_URL, githubToken: config.GITHUB_TOKEN, localRoots: config.PUBLISH_LOCAL_ROOTS }),
    builder: config.EXECUTOR_URL ? new ExecutorBuilder({ executorUrl: config.EXECUTOR_URL, secret: config.EXECUTOR_SECRET }) : null,
    docs: deps.docs,
    connection: deps.connection,
  });
  if (config.EXECUTOR_URL) publishingRoutes(api, publishing);
  healthRoutes(api, new Health({ pingDatabase: stores.ping, redis: deps.redis, connection: deps.connection }));
  api.finish();
  const openapi = api.document(
    {
      title: "Skill marketplace API",
      version: "1.0.0",
      description: "Agents register with a signed message, find skills, buy licenses with Solana Pay, run the skills they hold (metered, with signed receipts), and review them.",
    },
    config.API_PUBLIC_URL,
  );

  const mcp = new McpHttp({ authenticate: agents.authenticate, audience: config.API_PUBLIC_URL });
  const app = expressApp({ router: api.router, openapi, limiter, cache: deps.cache, logger: deps.logger, config, mcp });
  return { app, api, openapi, payments, publishing, mcp };
}
