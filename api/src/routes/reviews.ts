// Reviews: an unsigned post_review / update_review transaction for the calling license holder.
import { z } from "zod";
import { MAX_CID_LEN, MAX_RATING, MIN_RATING } from "../../../sdk/src/index.js";
import type { ApiRouter } from "../http/route.js";
import { Pubkey } from "../http/schemas.js";
import type { Reviews } from "../services/reviews.js";

export function reviewRoutes(api: ApiRouter, reviews: Reviews): void {
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
        textCid: z.string().min(1).max(MAX_CID_LEN).openapi({ description: "IPFS CID of the review text" }),
      })
      .strict(),
    response: z.object({
      action: z.enum(["post", "update"]),
      review: z.string(),
      transaction: z.string(),
      lastValidBlockHeight: z.string(),
    }),
    status: 201,
    errors: [403, 404],
    handler: ({ caller, params, body }) => reviews.transaction(caller!.wallet, params.id, body),
  });
}
