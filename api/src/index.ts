// What the api package offers the processes and suites that assemble it: the app builder and its
// parts (configuration, database, cache, docs store, rate limiter) and the errors it speaks.
export { buildApp, type AppDeps } from "./app.js";
export { loadConfig, ConfigError, type Config } from "./config.js";
export { openDatabase, type Database, type Stores } from "./db.js";
export { ResponseCache } from "./adapters/cache.js";
export { blockStoreFor, cidOf, EmbeddedBlocks, KuboBlocks, SkillDocs, type BlockStore } from "./adapters/ipfs.js";
export { RateLimiter } from "./adapters/rateLimit.js";
export { DomainError, ERROR_CODES, type ErrorCode } from "./errors.js";
export { STATUS } from "./http/errors.js";
export { guideText } from "./http/app.js";
