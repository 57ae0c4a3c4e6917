// The CLI's parts, for tests and for other tools.
export * from "./client.js";
export * from "./publish.js";
