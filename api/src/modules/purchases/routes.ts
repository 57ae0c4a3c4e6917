// Solana Pay transaction requests (GET label/icon, POST account → transaction), payment links with
// QR codes, payment status, and the same purchase for agents without a Solana Pay wallet.
import { LICENSE_STATUSES } from "@skill-marketplace/sdk";
import { z } from "zod";
import { keyOf } from "../../adapters/chain.js";
import type { ApiRouter } from "../../http/route.js";
import { Kind, Pubkey } from "../../http/schemas.js";
import { MAX_LICENSES_PER_PAGE, type Licenses } from "./licenses.js";
import type { Payments } from "./service.js";

export const LicenseSchema = z
  .object({
    address: z.string(),
    skill: z.string(),
    buyer: z.string(),
    kind: Kind,
    purchasedAt: z.number().int(),
    expiresAt: z.number().int().nullable(),
    unitsLimit: z.string().nullable(),
    unitsUsed: z.string().nullable(),
    unitsLeft: z.string().nullable(),
    purchases: z.number().int(),
    status: z.enum(LICENSE_STATUSES).openapi({
      description: "whether the license can be used now, and if not why (the sdk's licenseStatus)",
    }),
    valid: z.boolean().openapi({ description: "status is valid" }),
  })
  .openapi("License");

const PaymentLink = z
  .object({
    reference: z.string(),
    skill: z.string(),
    kind: Kind,
    url: z.string().openapi({ description: "solana: transaction-request URL" }),
    transactionRequestUrl: z.string(),
    token: z.string().openapi({ description: "the capability at the end of transactionRequestUrl (`/api/v1/pay/{token}`)" }),
    qrSvg: z.string().openapi({ description: "QR code of `url`, as SVG" }),
  })
  .openapi("PaymentLink");

/** The capability in a link's transaction-request URL (base58; see linkToken.ts). */
const LinkToken = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{60,70}$/, "must be a payment link token").openapi({
  description: "from a payment link's transactionRequestUrl; the reference alone does not open it",
});

const PurchaseTransaction = z.object({
  transaction: z.string().openapi({ description: "base64 wire transaction; only the buyer's signature is missing" }),
  message: z.string(),
  lastValidBlockHeight: z.string(),
});

export function purchaseRoutes(api: ApiRouter, payments: Payments, licenses: Licenses): void {
  api.add({
    method: "post",
    path: "/skills/:id/purchase-link",
    summary: "Create a Solana Pay link (and QR code) to buy a license to a skill; unused, it expires after PAYMENT_LINK_TTL_SECONDS",
    tag: "purchases",
    params: z.object({ id: Pubkey }),
    body: z.object({ kind: Kind.optional() }),
    response: PaymentLink,
    links: {
      label: { to: "get /pay/:token", parameters: { token: "$response.body#/token" } },
      transaction: { to: "post /pay/:token", parameters: { token: "$response.body#/token" } },
      status: { to: "get /payments/:reference", parameters: { reference: "$response.body#/reference" } },
    },
    status: 201,
    errors: [404, 409],
    handler: ({ params, body }) => payments.createLink(params.id, body.kind),
  });

  api.add({
    method: "get",
    path: "/pay/:token",
    summary: "Solana Pay transaction request: the merchant's label and icon",
    tag: "purchases",
    params: z.object({ token: LinkToken }),
    response: z.object({ label: z.string(), icon: z.string() }),
    errors: [404],
    handler: async ({ params }) => {
      payments.referenceOf(params.token);
      return payments.label();
    },
  });

  api.add({
    method: "post",
    path: "/pay/:token",
    summary: "Solana Pay transaction request: the purchase transaction for the wallet `account`",
    tag: "purchases",
    params: z.object({ token: LinkToken }),
    body: z.object({ account: Pubkey }),
    response: PurchaseTransaction.pick({ transaction: true, message: true }),
    errors: [404, 409, 410],
    handler: async ({ params, body }) => {
      const { transaction, message } = await payments.transactionFor(payments.referenceOf(params.token), body.account);
      return { transaction, message };
    },
  });

  api.add({
    method: "get",
    path: "/payments/:reference",
    summary: "Whether a payment has landed, and the license it bought",
    tag: "purchases",
    params: z.object({ reference: Pubkey }),
    response: z.object({
      reference: z.string(),
      status: z.enum(["pending", "confirmed", "expired"]),
      signature: z.string().nullable(),
      license: LicenseSchema.nullable(),
    }),
    errors: [404],
    handler: ({ params }) => payments.status(params.reference),
  });

  api.add({
    method: "post",
    path: "/marketplace/purchase",
    summary: "The unsigned purchase transaction for the calling agent's wallet, with its reference",
    tag: "purchases",
    auth: "required",
    body: z.object({ skillId: Pubkey, kind: Kind.optional() }),
    response: PurchaseTransaction.extend({ reference: z.string() }),
    links: { status: { to: "get /payments/:reference", parameters: { reference: "$response.body#/reference" } } },
    status: 201,
    errors: [404, 409],
    handler: async ({ body, caller }) => {
      // Bound to the caller's wallet (proven at sign-in) from the start.
      const link = await payments.createLink(body.skillId, body.kind, caller!.wallet);
      const built = await payments.transactionFor(link.reference, caller!.wallet);
      return { reference: link.reference, ...built };
    },
  });

  api.add({
    method: "get",
    path: "/agents/me/licenses",
    summary: "The calling agent's licenses in address order (stable across pages), each with its status on chain now",
    tag: "purchases",
    auth: "required",
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_LICENSES_PER_PAGE).default(20),
      cursor: Pubkey.optional().openapi({ description: "nextCursor of the previous page" }),
    }),
    response: z.object({ licenses: z.array(LicenseSchema), nextCursor: z.string().nullable() }),
    handler: ({ query, caller }) => licenses.list(keyOf(caller!.wallet, "wallet"), query.limit, query.cursor),
  });

  api.add({
    method: "post",
    path: "/agents/me/licenses/:address/close",
    summary: "The unsigned transaction that closes one of the calling agent's spent licenses (an expired subscription, a used-up usage license) and returns its rent to the wallet",
    tag: "purchases",
    auth: "required",
    params: z.object({ address: Pubkey }),
    response: z.object({
      transaction: z.string().openapi({ description: "base64 wire transaction; only the holder's signature is missing" }),
      refundLamports: z.string().openapi({ description: "the rent the wallet gets back" }),
      lastValidBlockHeight: z.string(),
    }),
    errors: [404, 409],
    handler: ({ params, caller }) => licenses.closeTransaction(keyOf(caller!.wallet, "wallet"), keyOf(params.address, "license")),
  });

  api.add({
    method: "get",
    path: "/marketplace/verify/:skillId",
    summary: "Whether the calling agent's wallet holds a valid license to a skill",
    tag: "purchases",
    auth: "required",
    params: z.object({ skillId: Pubkey }),
    response: z.object({ skill: z.string(), wallet: z.string(), valid: z.boolean(), license: LicenseSchema.nullable() }),
    errors: [404],
    handler: async ({ params, caller }) => {
      const verdict = await licenses.verify(keyOf(params.skillId, "skill id"), keyOf(caller!.wallet, "wallet"));
      return { skill: params.skillId, wallet: caller!.wallet, ...verdict };
    },
  });
}
