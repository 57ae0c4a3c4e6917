// The calling seller's analytics.
import { z } from "zod";
import type { ApiRouter } from "../../http/route.js";
import { Distribution } from "../../http/schemas.js";
import { SkillSchema } from "../skills/routes.js";
import type { Analytics } from "./service.js";

export function analyticsRoutes(api: ApiRouter, analytics: Analytics): void {
  api.add({
    method: "get",
    path: "/analytics/seller",
    summary: "The calling seller's sales, revenue per currency and usage per day, buyers, ratings, top skills",
    tag: "analytics",
    auth: "required",
    query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict(),
    response: z.object({
      seller: z.string(),
      since: z.string(),
      buyers: z.number().int(),
      revenue: z.array(z.object({ currency: z.string(), sales: z.number().int(), gross: z.string(), net: z.string() })),
      daily: z.array(z.object({ day: z.string(), currency: z.string(), sales: z.number().int(), revenue: z.string(), usageUnits: z.string() })),
      ratingDistribution: Distribution,
      topSkills: z.array(SkillSchema),
    }),
    handler: ({ caller, query }) => analytics.seller(caller!.wallet, query.days),
  });
}
