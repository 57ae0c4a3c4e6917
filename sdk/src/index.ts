// The skill marketplace's TypeScript SDK: the one package that knows the program's layout and its
// rules, safe to bundle for a browser (no Node built-ins). Services and the web app import from
// here; none derive PDAs, decode bytes or restate a rule themselves.
export * from "./program.js";
export * from "./constants.js";
export * from "./pubkey.js";
export * from "./base58.js";
export * from "./pda.js";
export * from "./accounts.js";
export * from "./events.js";
export * from "./errors.js";
export * from "./instructions.js";
export * from "./fee.js";
export * from "./license.js";
export * from "./ed25519.js";
export * from "./licenseToken.js";
export * from "./receipt.js";
export * from "./receiptOnChain.js";
export * from "./execute.js";
export * from "./skill.js";
export * from "./solanaPay.js";
export * from "./invalidation.js";
export * from "./limits.js";
export * from "./manifest.js";
export * from "./x402.js";
export * from "./skillApi.js";
export * from "./landing.js";
