// The executor's parts, for the service and for tests.
export * from "./limits.js";
export * from "./runtimes.js";
export * from "./sandbox.js";
export * from "./docker.js";
export * from "./errors.js";
export * from "./executor.js";
export * from "./app.js";
export * from "./config.js";
export * from "./settlement.js";
export * from "./receipts.js";
export * from "./reliability.js";
export * from "./build.js";
export * from "./x402.js";
export * from "./vaults.js";
