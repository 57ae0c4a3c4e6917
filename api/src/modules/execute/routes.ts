// POST /skills/:id/execute: one call of a skill the caller holds a license of. Served where the
// marketplace runs an executor (EXECUTOR_URL); elsewhere the path does not exist, and the OpenAPI
// document says so by leaving it out.
import { z } from "zod";
import type { ApiRouter } from "../../http/route.js";
import { Pubkey } from "../../http/schemas.js";
import type { Receipts } from "./receipts.js";
import type { Execute } from "./service.js";

const Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const ReceiptSchema = z
  .object({
    id: z.string().uuid(),
    license: z.string(),
    skill: z.string(),
    version: z.string(),
    imageDigest: Hex,
    inputHash: Hex,
    outputHash: Hex,
    units: z.number().int(),
    exitStatus: z.string(),
    durationMs: z.number().int(),
    time: z.number().int().openapi({ description: "when the call ended, unix milliseconds" }),
    meter: z.string(),
    signature: z.string().openapi({ description: "the meter authority's ed25519 signature of the receipt (sdk receipt.ts), base64" }),
  })
  .openapi("Receipt");

const token = z.string().min(1).max(4096);

export function executeRoutes(api: ApiRouter, execute: Execute): void {
  api.add({
    method: "post",
    path: "/skills/:id/execute",
    summary: "Run one call of a skill under the caller's license; answers the skill's output and a signed usage receipt",
    tag: "execute",
    auth: "required",
    params: z.object({ id: Pubkey }),
    headers: z.object({
      "x-license-token": token.optional().openapi({ description: "a license token signed by the license holder's wallet (sdk licenseToken.ts), at most 5 minutes long, one call each" }),
      "x-purchase-token": token.optional().openapi({ description: "the same token under the name some clients use" }),
    }),
    body: z
      .object({
        endpoint: z.string().min(1).max(64).openapi({ example: "summarize" }),
        payload: z.unknown().optional().openapi({ description: "the endpoint's input (default {})", example: { text: "Agents buy skills on Solana." } }),
      })
      .strict(),
    response: z.object({
      result: z.unknown(),
      usage: z.object({ units: z.number().int(), durationMs: z.number().int(), receipt: ReceiptSchema }),
    }),
    errors: [403, 404, 409, 422, 503],
    handler: ({ caller, params, body, headers }) =>
      execute.call({
        skill: params.id,
        agentWallet: caller!.wallet,
        token: (headers["x-license-token"] ?? headers["x-purchase-token"]) as string | undefined,
        endpoint: body.endpoint,
        payload: body.payload ?? {},
      }),
  });
}

export function receiptRoutes(api: ApiRouter, receipts: Receipts): void {
  api.add({
    method: "get",
    path: "/receipts/:id",
    summary: "One of the caller's receipts, with the transaction that settled it on chain and its Merkle proof",
    tag: "execute",
    auth: "required",
    params: z.object({ id: z.string().uuid() }),
    response: z.object({
      receipt: ReceiptSchema,
      settlement: z.object({
        status: z.enum(["pending", "landed", "held"]).openapi({ description: "pending: not on chain yet; landed: settled by `transaction`; held: the program refused its batch (kept for review)" }),
        transaction: z.string().nullable(),
        receiptsRoot: z.string().nullable(),
        proof: z.array(z.object({ sibling: z.string(), left: z.boolean() })).nullable().openapi({ description: "path from the receipt's leaf to receiptsRoot (sdk verifyMerkleProof / receiptSettled)" }),
      }),
    }),
    errors: [404],
    handler: ({ caller, params }) => receipts.get(params.id, caller!.wallet),
  });
}
