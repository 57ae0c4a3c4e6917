// The CLI's parts, for tests and for other tools.
export { ApiError, MarketplaceClient, type PublishJob } from "@skill-marketplace/mcp";
export * from "./publish.js";
