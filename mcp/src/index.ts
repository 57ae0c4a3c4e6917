// The MCP side of the marketplace: the api client the tools call, the marketplace server, per-skill servers.
export * from "./client.js";
export * from "./server.js";
export * from "./skill.js";
