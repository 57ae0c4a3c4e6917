// Node-only plumbing shared by the api, the indexer and the executor; never imported by the
// browser-safe sdk or the web app.
export * from "./config.js";
export * from "./services.js";
export * from "./ed25519.js";
export * from "./rounds.js";
