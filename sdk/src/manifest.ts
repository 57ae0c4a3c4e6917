// A skill's manifest: `skill.json` at the root of its repository. Publishing reads it at the pinned
// commit, the CLI and the web app check it before sending anything; every problem is reported at
// once, each with its path (`pricing.price: must be greater than 0`).
import { z } from "zod";
import { MAX_SLUG_LEN, MIN_SLUG_LEN, MIN_SUBSCRIPTION_INTERVAL_SECS } from "./constants.js";
import { requestedLimits } from "./limits.js";
import { isPublicKey, PUBLIC_KEY_MESSAGE } from "./pubkey.js";

export const MANIFEST_FILE = "skill.json";

/** The most a skill's source may hold at its commit: bytes of all files, and how many files. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
export const MAX_SOURCE_FILES = 2_000;

/** The marketplace's six categories. */
export const CATEGORIES = ["communication", "automation", "analysis", "creative", "utility", "integration"] as const;
export type Category = (typeof CATEGORIES)[number];

/** The runtimes the executor has base images for (executor/src/runtimes.ts). */
export const RUNTIME_NAMES = ["python", "node", "static"] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** An entry point is a relative path inside the skill's directory, nothing that climbs out of it. */
export function validEntryPoint(entry: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,199}$/.test(entry) && !entry.split("/").some((part) => part === ".." || part === "." || part === "");
}

const U64_MAX = (1n << 64n) - 1n;
const amount = z
  .string()
  .regex(/^\d{1,20}$/, "must be a whole number of base units, written as a string")
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) > 0n, "must be greater than 0")
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) <= U64_MAX, "must fit in 64 bits");

const jsonSchema = z.record(z.string(), z.unknown()).refine((s) => Object.keys(s).length > 0, "must be a JSON Schema object");

const Example = z
  .object({
    title: z.string().min(1).max(200),
    input: z.unknown(),
    /** What the skill answers for `input`; when given, the sandbox run must answer exactly this. */
    output: z.unknown().optional(),
  })
  .strict();

const Endpoint = z
  .object({
    description: z.string().min(1).max(1_000),
    input: jsonSchema,
    output: jsonSchema,
    examples: z.array(Example).min(1, "needs at least one example").max(20),
  })
  .strict();

const currency = z.string().refine((c) => c === "SOL" || isPublicKey(c), 'must be "SOL" or the mint address of an allowed token');

const Pricing = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("oneTime"), price: amount, currency }).strict(),
  z
    .object({
      kind: z.literal("subscription"),
      price: amount,
      currency,
      intervalSecs: z.number().int().min(MIN_SUBSCRIPTION_INTERVAL_SECS, `must be at least ${MIN_SUBSCRIPTION_INTERVAL_SECS} seconds`),
    })
    .strict(),
  z
    .object({
      kind: z.literal("usage"),
      price: amount,
      currency,
      unitsPerPurchase: z.number().int().min(1, "must be at least 1").max(Number.MAX_SAFE_INTEGER),
    })
    .strict(),
]);

export const SkillManifest = z
  .object({
    name: z.string().min(1).max(100),
    slug: z
      .string()
      .min(MIN_SLUG_LEN, `must be at least ${MIN_SLUG_LEN} characters`)
      .max(MAX_SLUG_LEN, `must be at most ${MAX_SLUG_LEN} characters`)
      .regex(/^[a-z0-9-]+$/, "must be lower-case letters, digits and dashes"),
    version: z.string().regex(/^(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})$/, "must be major.minor.patch (each at most 65535)")
      .refine((v) => v.split(".").every((n) => Number(n) <= 0xffff), "must be major.minor.patch (each at most 65535)"),
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(", ")}` }),
    description: z.string().min(1).max(2_000),
    tags: z.array(z.string().regex(/^[a-z0-9-]{1,32}$/, "must be lower-case letters, digits and dashes, at most 32")).max(10).default([]),
    pricing: Pricing,
    runtime: z.enum(RUNTIME_NAMES, { error: `must be one of ${RUNTIME_NAMES.join(", ")}` }),
    entry: z.string().refine(validEntryPoint, "must be a relative path inside the repository"),
    /** Dependencies the skill uses, each pinned to one exact version and vendored in the repository. */
    dependencies: z.record(z.string().min(1).max(214), z.string().regex(/^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/, "must pin one exact version")).default({}),
    endpoints: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "endpoint names are lower-case, at most 64 characters"), Endpoint)
      .refine((e) => Object.keys(e).length > 0, "needs at least one endpoint")
      .refine((e) => Object.keys(e).length <= 32, "at most 32 endpoints"),
    limits: requestedLimits.default({}),
    /** Calls per minute per license the seller allows (within the marketplace's maximum). */
    callsPerMinute: z.number().int().min(1).max(100_000).optional(),
    /** The wallet that publishes: only it can publish this repository. */
    publisher: z.string().refine(isPublicKey, PUBLIC_KEY_MESSAGE),
  })
  .strict();
export type SkillManifest = z.infer<typeof SkillManifest>;

/** zod's generic messages in the words a seller reads in the CLI (the rules' own messages win). */
function plainWords(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  if (issue.code === "invalid_type") return `must be ${issue.expected === "record" ? "an object" : `a ${issue.expected}`}`;
  if (issue.code === "too_small" && issue.origin === "string" && issue.minimum === 1) return "must not be empty";
  if (issue.code === "too_small") return `must have at least ${issue.minimum} ${issue.origin === "string" ? "characters" : "items"}`;
  if (issue.code === "too_big") return `must have at most ${issue.maximum} ${issue.origin === "string" ? "characters" : "items"}`;
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  return undefined;
}

export type ManifestCheck = { ok: true; manifest: SkillManifest } | { ok: false; problems: string[] };

/** Every problem of `value` as a manifest, each as `path: message`; or the manifest. */
export function checkManifest(value: unknown): ManifestCheck {
  const parsed = SkillManifest.safeParse(value, { error: plainWords });
  if (parsed.success) return { ok: true, manifest: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "manifest"}: ${i.message}`) };
}

/** `text` (the file's bytes as read) as a manifest: JSON first, then the checks. */
export function parseManifest(text: string): ManifestCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`${MANIFEST_FILE}: is not valid JSON (${(error as Error).message})`] };
  }
  return checkManifest(value);
}
