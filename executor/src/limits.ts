// The limits a call runs under are the marketplace's rule, kept in the sdk (sdk/src/limits.ts).
export { DEFAULT_LIMITS, PLATFORM_MAXIMUMS, effectiveLimits, requestedLimits, type SandboxLimits } from "@skill-marketplace/sdk";
