// Data access for payment requests (the api's own table, through Prisma): the one file that
// knows its layout. No method holds a lock or a transaction: every change is one conditional
// statement (compare and set), so a request never keeps a pooled connection while it waits on
// anything else.
import type { PrismaClient, Prisma } from "@skill-marketplace/db";
import type { Binding, PaymentRequest, PaymentStore } from "./service.js";

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
    async bind(reference, binding: Binding) {
      // Only an open request without a transaction takes one, and only for the wallet it is bound
      // to (if any): of two requests building at once, the first one's transaction stands.
      const { count } = await db.paymentRequest.updateMany({
        where: { reference, status: "open", transaction: null, OR: [{ account: null }, { account: binding.account }] },
        data: binding,
      });
      return count === 1;
    },
    async settle(reference, transaction, status) {
      // Moves an open request on only while it still holds the transaction that was judged.
      const { count } = await db.paymentRequest.updateMany({ where: { reference, status: "open", transaction }, data: { status } });
      return count === 1;
    },
    async replace(reference, replacement) {
      // Conditional: of two requests racing to replace one link, the first one's link stands.
      await db.paymentRequest.updateMany({ where: { reference, replacedBy: null }, data: { replacedBy: replacement } });
      const row = await db.paymentRequest.findUniqueOrThrow({ where: { reference } });
      return row.replacedBy ?? replacement;
    },
    async sweep(unusedBefore, unpaidBefore) {
      // Never-used links past their lifetime, and requests whose transaction expired long ago
      // with no purchase carrying their reference; paid requests stay (they answer status reads).
      return db.$executeRaw`
        DELETE FROM payment_requests p
        WHERE p.status <> 'paid'
          AND ((p.transaction IS NULL AND p.created_at < ${unusedBefore})
            OR (p.transaction IS NOT NULL AND p.updated_at < ${unpaidBefore}
                AND NOT EXISTS (SELECT 1 FROM purchases u WHERE u.reference = p.reference)))`;
    },
  };
}
