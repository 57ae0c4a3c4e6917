// POST /skills/:id/execute: one call of a skill the caller holds a license of. Served where the
// marketplace runs an executor (EXECUTOR_URL); elsewhere the path does not exist, and the OpenAPI
// document says so by leaving it out.
import { z } from "zod";
import type { ApiRouter } from "../../http/route.js";
import { Pubkey } from "../../http/schemas.js";
import type { Receipts } from "./receipts.js";
import { encodeX402Header, X402_HEADERS, type PaymentRequirements } from "@skill-marketplace/sdk";
import { DomainError, unauthorized } from "../../errors.js";
import type { Execute } from "./service.js";
import type { Skills } from "../skills/service.js";

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
    payment: z.string().optional().openapi({ description: "x402 calls: the signature of the payment transaction (then `license` is empty)" }),
    signature: z.string().openapi({ description: "the meter authority's ed25519 signature of the receipt (sdk receipt.ts), base64" }),
  })
  .openapi("Receipt");

const token = z.string().min(1).max(4096);

/** A skill's execute URL: what a call posts to, and the x402 resource a paid call is. */
export const executeUrl = (publicUrl: string, skill: string) => `${publicUrl}/api/v1/skills/${skill}/execute`;

export function executeRoutes(api: ApiRouter, execute: Execute, skills: Skills): void {
  api.add({
    method: "post",
    path: "/skills/:id/execute",
    summary:
      "Run one call of a skill under the caller's license (API key + license token), or paid per call with x402 (PAYMENT-SIGNATURE, no key needed); answers the skill's output and a signed usage receipt",
    tag: "execute",
    auth: "optional",
    params: z.object({ id: Pubkey }),
    headers: z.object({
      "x-license-token": token.optional().openapi({ description: "a license token signed by the license holder's wallet (sdk licenseToken.ts), at most 5 minutes long, one call each" }),
      "x-purchase-token": token.optional().openapi({ description: "the same token under the name some clients use" }),
      "payment-signature": z.string().min(1).max(16_384).optional().openapi({ description: "x402 v2: the payment for this one call (base64 JSON), as a 402's PAYMENT-REQUIRED asked" }),
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
      payment: z
        .object({ transaction: z.string(), network: z.string(), payer: z.string(), amount: z.string() })
        .optional()
        .openapi({ description: "x402 calls: the payment that landed (also in the PAYMENT-RESPONSE header)" }),
    }),
    errors: [401, 402, 403, 404, 409, 422, 502, 503],
    responseHeaders: (result): Record<string, string> => {
      const payment = (result as { payment?: { transaction: string; network: string; payer: string } }).payment;
      if (!payment) return {};
      return { [X402_HEADERS.response]: encodeX402Header({ success: true, transaction: payment.transaction, network: payment.network, payer: payment.payer }) };
    },
    handler: async ({ caller, params, body, headers }) => {
      const token = (headers["x-license-token"] ?? headers["x-purchase-token"]) as string | undefined;
      const payment = headers["payment-signature"] as string | undefined;
      // A license token (with its key) is a licensed call; a payment, or no key and no token, is x402's.
      if (!payment && (token || caller)) {
        if (!caller) throw unauthorized("an API key is required with a license token: Authorization: Bearer sk_…");
        return execute.call({ skill: params.id, agentWallet: caller.wallet, token, endpoint: body.endpoint, payload: body.payload ?? {} });
      }
      try {
        return await execute.paid({ skill: params.id, endpoint: body.endpoint, payload: body.payload ?? {}, payment });
      } catch (error) {
        // What to pay, as x402 clients read it: the PAYMENT-REQUIRED header of the 402.
        const requirements = (error as DomainError).details && ((error as DomainError).details as { requirements?: unknown }).requirements;
        if (error instanceof DomainError && requirements) {
          // The skill's offer (its resource and discovery metadata) with the requirements the executor answered.
          const offer = await skills.offer(params.id, requirements as PaymentRequirements);
          if (offer) error.headers[X402_HEADERS.required] = encodeX402Header({ ...offer, error: error.message });
        }
        // Without a payment and without a key, a skill that cannot be paid per call needs a key first.
        if (error instanceof DomainError && error.code === "payment_not_accepted" && !payment) throw unauthorized(`an API key is required (this skill is bought, not paid per call): ${error.message}`);
        throw error;
      }
    },
  });
}

const SettlementStatus = z
  .enum(["pending", "landed", "held"])
  .openapi({ description: "pending: not on chain yet; landed: settled by `transaction`; held: the program refused its batch (kept for review)" });

export function receiptRoutes(api: ApiRouter, receipts: Receipts): void {
  api.add({
    method: "get",
    path: "/agents/me/licenses/:address/receipts",
    summary: "The receipts of the newest calls under one of the caller's licenses, newest first, each with how far it is settled",
    tag: "execute",
    auth: "required",
    params: z.object({ address: Pubkey }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) }).strict(),
    response: z.object({
      receipts: z.array(z.object({ receipt: ReceiptSchema, settlement: z.object({ status: SettlementStatus, transaction: z.string().nullable() }) })),
    }),
    handler: ({ caller, params, query }) => receipts.recent(caller!.wallet, params.address, query.limit),
  });

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
        status: SettlementStatus,
        transaction: z.string().nullable(),
        receiptsRoot: z.string().nullable(),
        proof: z.array(z.object({ sibling: z.string(), left: z.boolean() })).nullable().openapi({ description: "path from the receipt's leaf to receiptsRoot (sdk verifyMerkleProof / receiptSettled)" }),
      }),
    }),
    errors: [404],
    handler: ({ caller, params }) => receipts.get(params.id, caller!.wallet),
  });
}
