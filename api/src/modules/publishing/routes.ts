// Publishing from a repository: POST /skills/publish starts a job, GET /publish/:job follows it
// step by step to the unsigned transaction the seller signs.
import { z } from "zod";
import type { ApiRouter } from "../../http/route.js";
import { STEPS } from "./store.js";
import type { Publishing } from "./service.js";

export const FindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(["block", "warn"]),
  file: z.string(),
  line: z.number().int(),
  excerpt: z.string(),
  message: z.string(),
}).openapi("Finding");

export const PublishJobSchema = z
  .object({
    id: z.string().uuid(),
    status: z.enum(["queued", "running", "ready", "failed"]).openapi({ description: "ready: sign `result.transaction`; failed: `error` says why" }),
    repo: z.string(),
    ref: z.string(),
    commitSha: z.string().nullable(),
    skill: z.string().nullable(),
    version: z.string().nullable(),
    steps: z.array(
      z.object({
        name: z.enum(STEPS),
        status: z.enum(["waiting", "running", "done", "failed"]),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        durationMs: z.number().int().nullable(),
        detail: z.string().nullable(),
      }),
    ),
    findings: z.array(FindingSchema).openapi({ description: "what the scan found in the source (none of severity block, or the job failed)" }),
    result: z
      .object({
        action: z.enum(["register_skill", "update_skill"]),
        skill: z.string(),
        transaction: z.string().openapi({ description: "base64, unsigned: the publisher signs and sends it" }),
        lastValidBlockHeight: z.number().int(),
        docsCid: z.string(),
        commitSha: z.string(),
        imageDigest: z.string(),
      })
      .nullable(),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("PublishJob");

export function publishingRoutes(api: ApiRouter, publishing: Publishing): void {
  api.add({
    method: "post",
    path: "/skills/publish",
    summary: "Publish a skill from a repository at a ref: starts a job that pins the commit, checks, scans, builds and tries it, then returns the unsigned transaction",
    tag: "publishing",
    auth: "required",
    body: z
      .object({
        repo: z.string().min(3).max(500).openapi({ description: "GitHub owner/name (or its https://github.com URL), or a git URL", example: "acme/text-stats" }),
        ref: z.string().min(1).max(200).openapi({ description: "branch, tag or commit SHA", example: "v1.0.0" }),
      })
      .strict(),
    response: PublishJobSchema,
    status: 202,
    errors: [400, 429, 503],
    handler: ({ caller, body }) => publishing.start(caller!.wallet, body.repo, body.ref),
  });

  api.add({
    method: "get",
    path: "/publish/:job",
    summary: "One of the caller's publishing jobs: each step's progress, the scan's findings, and the transaction or the error",
    tag: "publishing",
    auth: "required",
    params: z.object({ job: z.string().uuid() }),
    response: PublishJobSchema,
    errors: [404],
    handler: ({ caller, params }) => publishing.get(params.job, caller!.wallet),
  });
}
