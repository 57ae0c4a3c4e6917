// Data access for payment requests (the api's own table, through Prisma): the one file that
// knows its layout. No method holds a lock or a transaction: every change is one conditional
// statement (compare and set), so a request never keeps a pooled connection while it waits on
// anything else.
import type { PrismaClient } from "@skill-marketplace/db";
import type pg from "pg";
import type { Binding, PaymentRequest, PaymentStore } from "./service.js";

/** A payment_requests row as raw pg reads it (int8 as text). */
type RawRow = {
  reference: string; skill: string; kind: string; account: string | null; transaction: string | null; last_valid_block_height: string | null;
  purchases_before: number | null; status: string; replaced_by: string | null; created_at: Date;
};

const COLUMNS = "reference, skill, kind, account, transaction, last_valid_block_height, purchases_before, status, replaced_by, created_at";

const fromRaw = (row: RawRow): PaymentRequest => ({
  reference: row.reference,
  skill: row.skill,
  kind: row.kind as PaymentRequest["kind"],
  account: row.account,
  transaction: row.transaction,
  lastValidBlockHeight: row.last_valid_block_height === null ? null : BigInt(row.last_valid_block_height),
  purchasesBefore: row.purchases_before,
  status: row.status as PaymentRequest["status"],
  replacedBy: row.replaced_by,
  createdAt: row.created_at,
});

/**
 * `pool` serves the two statements every wallet POST makes (read the request, bind it) as raw
 * prepared statements: through Prisma the bind alone took three round trips (BEGIN, UPDATE, COMMIT).
 */
export function paymentStore(db: PrismaClient, pool: pg.Pool): PaymentStore {
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
      const { rows } = await pool.query<RawRow>({
        name: "payment_create",
        text: `INSERT INTO payment_requests (reference, skill, kind, account, updated_at) VALUES ($1, $2, $3, $4, now()) RETURNING ${COLUMNS}`,
        values: [row.reference, row.skill, row.kind, row.account ?? null],
      });
      return fromRaw(rows[0]!);
    },
    async get(reference) {
      const { rows } = await pool.query<RawRow>({
        name: "payment_get",
        text: `SELECT ${COLUMNS} FROM payment_requests WHERE reference = $1`,
        values: [reference],
      });
      return rows[0] ? fromRaw(rows[0]) : null;
    },
    async bind(reference, binding: Binding) {
      // Only an open request without a transaction takes one, and only for the wallet it is bound
      // to (if any): of two requests building at once, the first one's transaction stands.
      const { rowCount } = await pool.query({
        name: "payment_bind",
        text: `UPDATE payment_requests SET account = $2, transaction = $3, last_valid_block_height = $4, purchases_before = $5, updated_at = now()
               WHERE reference = $1 AND status = 'open' AND transaction IS NULL AND (account IS NULL OR account = $2)`,
        values: [reference, binding.account, binding.transaction, binding.lastValidBlockHeight.toString(), binding.purchasesBefore],
      });
      return rowCount === 1;
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

/**
 * The indexed, open licenses of a buyer in address order, after the address `after`: a keyset on a column that
 * never changes, so a renewal or a closed license between two pages neither skips nor repeats one.
 */
export function licenseIndex(prisma: PrismaClient) {
  return async (buyer: string, take: number, after?: string): Promise<{ address: string; skill: string }[]> =>
    prisma.license.findMany({
      where: { buyer, closed: false, ...(after ? { address: { gt: after } } : {}) },
      orderBy: { address: "asc" },
      select: { address: true, skill: true },
      take,
    });
}
