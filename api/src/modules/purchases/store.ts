// Data access for payment requests (the api's own table, through Prisma): the one file that
// knows its layout.
import type { PrismaClient, Prisma } from "@skill-marketplace/db";
import { refused } from "../../errors.js";
import type { PaymentRequest, PaymentStore } from "./service.js";

type PaymentRow = Prisma.PaymentRequestGetPayload<object>;

const payment = (row: PaymentRow): PaymentRequest => ({
  reference: row.reference,
  skill: row.skill,
  kind: row.kind as PaymentRequest["kind"],
  account: row.account,
  transaction: row.transaction,
  lastValidBlockHeight: row.lastValidBlockHeight,
  purchasesBefore: row.purchasesBefore,
  status: row.status as PaymentRequest["status"],
  replacedBy: row.replacedBy,
  createdAt: row.createdAt,
});

export function paymentStore(db: PrismaClient): PaymentStore {
  return {
    async purchaseByReference(reference, skill, buyer) {
      // The indexer's row of the program's LicensePurchased event that carried this reference,
      // for this skill and buyer: a payment, whatever message the wallet signed.
      const row = await db.purchase.findFirst({
        where: { reference, skill, buyer },
        orderBy: { slot: "asc" },
        select: { signature: true },
      });
      return row?.signature ?? null;
    },
    async create(row) {
      return payment(await db.paymentRequest.create({ data: row }));
    },
    async get(reference) {
      const row = await db.paymentRequest.findUnique({ where: { reference } });
      return row ? payment(row) : null;
    },
    async replace(reference, replacement) {
      // Conditional: of two requests racing to replace one link, the first one's link stands.
      await db.paymentRequest.updateMany({ where: { reference, replacedBy: null }, data: { replacedBy: replacement } });
      const row = await db.paymentRequest.findUniqueOrThrow({ where: { reference } });
      return row.replacedBy ?? replacement;
    },
    async locked(reference, fn) {
      return db.$transaction(
        async (tx) => {
          // One request per reference at a time; others are told to retry at once rather than
          // queue, so a burst on one link cannot hold the connection pool hostage.
          try {
            await tx.$queryRaw`SELECT reference FROM payment_requests WHERE reference = ${reference} FOR UPDATE NOWAIT`;
          } catch (error) {
            if (/55P03|could not obtain lock/.test(String((error as Error).message) + JSON.stringify(error))) {
              throw refused("payment_in_progress", "this payment link is being prepared by another request; retry in a moment");
            }
            throw error;
          }
          const row = await tx.paymentRequest.findUnique({ where: { reference } });
          const update = async (patch: Partial<PaymentRequest>) => {
            await tx.paymentRequest.update({ where: { reference }, data: patch });
          };
          return fn(row ? payment(row) : null, update);
        },
        { timeout: 30_000 },
      );
    },
  };
}
