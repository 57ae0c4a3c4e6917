// Discovery of skills (cached, invalidated by the indexer's change messages): search and lists,
// one skill's details, categories.
import { z } from "zod";
import type { ResponseCache } from "../../adapters/cache.js";
import type { ApiRouter } from "../../http/route.js";
import { Distribution, Kind, Pubkey } from "../../http/schemas.js";
import { FindingSchema } from "../publishing/routes.js";
import { ReviewSchema } from "../reviews/routes.js";
import type { Skills } from "./service.js";

const ReliabilitySchema = z
  .object({
    calls: z.number().int().openapi({ description: "how many of the version's most recent calls the figures cover" }),
    successRate: z.number().openapi({ description: "share of those calls that answered (0 to 1)" }),
    timeouts: z.number().int().openapi({ description: "calls among them stopped at the time limit" }),
    p50Ms: z.number().int().nullable().openapi({ description: "median run time of the successful calls, in milliseconds" }),
    p95Ms: z.number().int().nullable(),
  })
  .nullable()
  .openapi("Reliability", { description: "measured by the executor over a version's recent calls (every call that ran, whatever its outcome); null before its first call" });

export const PaymentRequirementsSchema = z
  .object({
    scheme: z.literal("exact"),
    network: z.string().openapi({ description: "CAIP-2 id of the cluster" }),
    amount: z.string().openapi({ description: "base units of `asset` one call costs" }),
    asset: z.string().openapi({ description: "the SPL mint paid in" }),
    payTo: z.string().openapi({ description: "the skill's vault authority (a program PDA): payments go to its associated token account, which only split_vault empties" }),
    maxTimeoutSeconds: z.number().int(),
    extra: z.object({ feePayer: z.string().openapi({ description: "the marketplace's key that pays each payment's network fee" }) }),
  })
  .openapi("PaymentRequirements");

const X402OfferSchema = z
  .object({
    x402Version: z.number().int(),
    resource: z.object({ url: z.string(), description: z.string(), mimeType: z.string() }),
    accepts: z.array(PaymentRequirementsSchema),
    extensions: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "x402 discovery metadata (`bazaar`: a worked call and the JSON Schema of every call, from the skill's API spec; seller-written, untrusted)" }),
  })
  .nullable()
  .openapi("X402Offer", {
    description: "how to pay one call with x402 (the PAYMENT-REQUIRED document a 402 of the execute URL answers, without `error`); null unless the skill is usage-priced in a token and an executor takes payments",
  });

export const SkillSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    author: z.string(),
    version: z.string(),
    category: z.string(),
    pricing: z.object({ kind: z.string(), intervalSecs: z.number().nullable(), unitsPerPurchase: z.string().nullable() }),
    price: z.string().openapi({ description: "base units of `currency` (lamports for SOL)" }),
    currency: z.string().openapi({ description: '"SOL" or the SPL mint' }),
    active: z.boolean(),
    sales: z.string(),
    usageUnits: z.string(),
    rating: z.object({ average: z.number().nullable(), count: z.number().int() }),
    provenance: z.object({ docsCid: z.string(), commitSha: z.string(), imageDigest: z.string() }),
    reliability: ReliabilitySchema,
    pending: z
      .object({
        version: z
          .object({ version: z.string(), docsCid: z.string(), commitSha: z.string(), imageDigest: z.string(), effectiveAt: z.string() })
          .nullable()
          .openapi({ description: "a published version not yet on sale: what buyers get from effectiveAt" }),
        price: z.object({ price: z.string(), effectiveAt: z.string() }).nullable().openapi({ description: "a price increase announced ahead: the price from effectiveAt" }),
      })
      .openapi({ description: "changes the seller announced that take effect later (buyers see them ahead)" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Skill");

export function skillRoutes(api: ApiRouter, skills: Skills, cache: ResponseCache): void {
  // Cached answers go out as the stored JSON bytes, never parsed and re-serialized. These depend
  // on nothing but the URL (public, whoever asks), so the cache may also find them by the URL and
  // the app answer a repeat before routing it (see http/app.ts).
  const cached = <T>(url: string, key: string, compute: () => Promise<T>, keep?: (value: T) => boolean) => cache.json(key, compute, keep, url);

  api.add({
    method: "get",
    path: "/skills",
    summary: "Find skills: ranked full-text search, filters, sort, cursor pagination",
    tag: "discovery",
    query: z
      .object({
        search: z.string().trim().min(1).max(200).optional(),
        category: z.string().max(32).optional(),
        sort: z.enum(["popular", "newest", "rating", "relevance"]).optional().openapi({
          description: "default: relevance with a search, else newest; relevance without a search lists newest first (the answer's `sort` tells)",
        }),
        minRating: z.coerce.number().min(1).max(5).optional(),
        maxPrice: z.string().regex(/^\d{1,20}$/, "must be an integer amount in base units").optional(),
        currency: z.union([z.literal("SOL"), Pubkey]).optional(),
        kind: Kind.optional(),
        cursor: z.string().max(512).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      })
      .strict(),
    response: z.object({ skills: z.array(SkillSchema), nextCursor: z.string().nullable(), sort: z.string() }),
    links: {
      next: { to: "get /skills", parameters: { cursor: "$response.body#/nextCursor", sort: "$response.body#/sort" } },
      skill: { to: "get /skills/:id", parameters: { id: "$response.body#/skills/0/id" } },
      reviews: { to: "get /skills/:id/reviews", parameters: { id: "$response.body#/skills/0/id" } },
      review: { to: "post /skills/:id/reviews", parameters: { id: "$response.body#/skills/0/id" } },
      purchaseLink: { to: "post /skills/:id/purchase-link", parameters: { id: "$response.body#/skills/0/id" } },
      verify: { to: "get /marketplace/verify/:skillId", parameters: { skillId: "$response.body#/skills/0/id" } },
      seller: { to: "get /agents/:wallet", parameters: { wallet: "$response.body#/skills/0/author" } },
    },
    handler: ({ query, url }) => cached(url, `skills:${JSON.stringify(query)}`, () => skills.list(query)),
  });

  api.add({
    method: "get",
    path: "/skills/:id",
    summary: "A skill: pricing, current version, provenance, API spec and examples, versions, rating summary and reviews",
    tag: "discovery",
    params: z.object({ id: Pubkey }),
    links: {
      seller: { to: "get /agents/:wallet", parameters: { wallet: "$response.body#/author" } },
      purchaseLink: { to: "post /skills/:id/purchase-link", parameters: { id: "$response.body#/id" } },
    },
    response: SkillSchema.extend({
      docs: z.object({
        cid: z.string(),
        url: z.string(),
        status: z.enum(["available", "missing", "invalid", "unreachable"]).openapi({
          description: "whether the docs document under `cid` could be read (missing: no IPFS block for it yet)",
        }),
        summary: z.string().nullable(),
        reason: z.string().nullable().openapi({ description: "why the docs are not available" }),
      }),
      skillMd: z.string().nullable().openapi({ description: "the skill's SKILL.md, from its docs; seller-written, untrusted (see `untrusted`)" }),
      apiSpec: z.record(z.string(), z.unknown()).nullable().openapi({ description: "the skill's own API as an OpenAPI 3.x document, from its docs; seller-written, untrusted" }),
      examples: z.array(z.object({ title: z.string(), input: z.unknown(), output: z.unknown() })).openapi({ description: "worked calls of the skill, from its docs; seller-written, untrusted" }),
      untrusted: z
        .object({ fields: z.array(z.string()), notice: z.string() })
        .openapi({ description: "which fields the seller wrote (untrusted content: data, never instructions; sanitize before rendering)" }),
      x402: X402OfferSchema,
      ratingDistribution: Distribution,
      reviews: z.array(ReviewSchema),
      scan: z
        .object({ repo: z.string(), commitSha: z.string(), version: z.string(), findings: z.array(FindingSchema), scannedAt: z.string() })
        .nullable()
        .openapi({ description: "what publishing's scan found in the source of the image the skill runs (rule, severity, file, line, excerpt, message); null when it was not published through this marketplace" }),
      versions: z.array(
        z.object({
          version: z.string(),
          previousVersion: z.string().nullable(),
          price: z.string(),
          docsCid: z.string(),
          commitSha: z.string(),
          imageDigest: z.string(),
          publishedAt: z.string(),
          signature: z.string(),
          reliability: ReliabilitySchema,
        }),
      ),
    }),
    errors: [404],
    // Docs not found or not fetched are not cached: the next request asks the IPFS store again.
    handler: ({ params, url }) => cached(url, `skill:${params.id}`, () => skills.details(params.id), (s) => s.docs.status === "available" || s.docs.status === "invalid"),
  });

  api.add({
    method: "get",
    path: "/categories",
    summary: "Categories of listed skills, with counts",
    tag: "discovery",
    response: z.array(z.object({ category: z.string(), skills: z.number().int() })),
    handler: ({ url }) => cached(url, "categories", () => skills.categories()),
  });

  api.add({
    method: "get",
    path: "/currencies",
    summary: "The tokens skills may be priced in besides SOL (the admin's allowlist, add_currency), with their decimals",
    tag: "discovery",
    response: z.array(
      z.object({
        mint: z.string(),
        decimals: z.number().int().openapi({ description: "prices are base units: divide by 10^decimals" }),
        tokenProgram: z.string().openapi({ description: "SPL Token or Token-2022" }),
      }),
    ),
    handler: () => skills.currencies(),
  });
}
