// GET /health: 200 when the api's dependencies answer, 503 naming the ones that do not.
import { z } from "zod";
import type { ApiRouter } from "../../http/route.js";
import type { Health } from "./service.js";

const Check = z.object({ ok: z.boolean(), ms: z.number().int(), error: z.string().optional() });

export function healthRoutes(api: ApiRouter, health: Health): void {
  api.add({
    method: "get",
    path: "/health",
    summary: "Whether the api can serve: its database, Redis and chain each answer (503 names the ones that do not)",
    tag: "health",
    response: z.object({
      status: z.literal("ok"),
      checks: z.object({ database: Check, redis: Check, chain: Check.extend({ slot: z.number().int().optional() }) }),
    }),
    errors: [503],
    handler: () => health.check(),
  });
}
