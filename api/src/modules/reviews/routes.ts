// Reviews: a skill's reviews, and the unsigned post_review / update_review transaction for the calling license holder.
import { z } from "zod";
import { MAX_CID_LEN, MAX_RATING, MIN_RATING } from "@skill-marketplace/sdk";
import type { ApiRouter } from "../../http/route.js";
import { Pubkey } from "../../http/schemas.js";
import type { Reviews } from "./service.js";
import { MAX_REVIEW_TEXT_BYTES } from "./texts.js";

export const ReviewSchema = z
  .object({
    id: z.string(),
    reviewer: z.string(),
    rating: z.number().int(),
    weight: z.string().openapi({ description: "the rating's weight: what the reviewer had paid for their license when they wrote it, base units of the skill's currency" }),
    textCid: z.string(),
    text: z.string().nullable().openapi({ description: "the review text from IPFS; null when the store does not hold it or it is not a UTF-8 text" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Review");

export function reviewRoutes(api: ApiRouter, reviews: Reviews): void {
  api.add({
    method: "get",
    path: "/skills/:id/reviews",
    summary: "A skill's reviews, newest first, cursor pagination",
    tag: "reviews",
    params: z.object({ id: Pubkey }),
    query: z.object({ cursor: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }).strict(),
    response: z.object({ reviews: z.array(ReviewSchema), nextCursor: z.string().nullable() }),
    errors: [404],
    handler: ({ params, query }) => reviews.list(params.id, query.limit, query.cursor),
  });

  api.add({
    method: "post",
    path: "/skills/:id/reviews",
    summary: "The unsigned transaction that posts (or updates) the calling license holder's review",
    tag: "reviews",
    auth: "required",
    params: z.object({ id: Pubkey }),
    body: z
      .object({
        rating: z.number().int().min(MIN_RATING).max(MAX_RATING),
        textCid: z.string().min(1).max(MAX_CID_LEN).optional().openapi({ description: "IPFS CID of a review text already stored; or send `text`" }),
        text: z
          .string()
          .min(1)
          .max(MAX_REVIEW_TEXT_BYTES)
          .optional()
          .openapi({ description: `the review text (UTF-8, at most ${MAX_REVIEW_TEXT_BYTES} bytes): the marketplace stores it on IPFS and the review carries its CID` }),
      })
      .strict()
      .refine((b) => (b.text === undefined) !== (b.textCid === undefined), { message: "send exactly one of text and textCid" })
      // The same rule in the document: one of the two, never both.
      .openapi({ anyOf: [{ required: ["text"] }, { required: ["textCid"] }], not: { required: ["text", "textCid"] } }),
    response: z.object({
      action: z.enum(["post", "update"]),
      review: z.string(),
      textCid: z.string(),
      transaction: z.string(),
      lastValidBlockHeight: z.string(),
    }),
    status: 201,
    errors: [403, 404],
    handler: ({ caller, params, body }) => reviews.transaction(caller!.wallet, params.id, body),
  });
}
