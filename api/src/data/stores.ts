// Data access for the api's own tables (agent accounts, API keys, payment requests) through Prisma.
// Services see only the store interfaces; this is the one file that knows the table layout.
import type { AgentStore, KeyRecord, Profile } from "../services/agents.js";
import type { PaymentRequest, PaymentStore } from "../services/payments.js";
import { conflict } from "../http/errors.js";
import type { Prisma, PrismaClient } from "./prisma.js";

type PaymentRow = Prisma.PaymentRequestGetPayload<object>;

const payment = (row: PaymentRow): PaymentRequest => ({
  reference: row.reference,
  skill: row.skill,
  kind: row.kind as PaymentRequest["kind"],
  account: row.account,
  transaction: row.transaction,
  lastValidBlockHeight: row.lastValidBlockHeight,
  status: row.status as PaymentRequest["status"],
  replacedBy: row.replacedBy,
  createdAt: row.createdAt,
});

export function agentStore(db: PrismaClient): AgentStore {
  const profile = (row: Profile): Profile => ({
    wallet: row.wallet,
    displayName: row.displayName,
    description: row.description,
    website: row.website,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
  const key = (row: KeyRecord): KeyRecord => ({ ...row, hash: new Uint8Array(row.hash) });
  return {
    async ensureAgent(wallet) {
      const existing = await db.agentAccount.findUnique({ where: { wallet } });
      if (existing) return { created: false };
      // Two sign-ins racing for a new wallet: the loser's insert is a no-op.
      const inserted = await db.agentAccount.createMany({ data: [{ wallet }], skipDuplicates: true });
      return { created: inserted.count === 1 };
    },
    async profile(wallet) {
      const row = await db.agentAccount.findUnique({ where: { wallet } });
      return row ? profile(row) : null;
    },
    async updateProfile(wallet, patch) {
      return profile(await db.agentAccount.update({ where: { wallet }, data: patch }));
    },
    async addKey(k) {
      return key(await db.apiKey.create({ data: { wallet: k.wallet, prefix: k.prefix, hash: Buffer.from(k.hash), label: k.label } }));
    },
    async keyByPrefix(prefix) {
      const row = await db.apiKey.findUnique({ where: { prefix } });
      return row ? key(row) : null;
    },
    async keys(wallet) {
      return (await db.apiKey.findMany({ where: { wallet }, orderBy: { createdAt: "asc" } })).map(key);
    },
    async revokeKey(wallet, id, at) {
      const { count } = await db.apiKey.updateMany({ where: { id, wallet, revokedAt: null }, data: { revokedAt: at } });
      return count === 1;
    },
    async touchKey(id, at) {
      await db.apiKey.update({ where: { id }, data: { lastUsedAt: at } });
    },
  };
}

export function paymentStore(db: PrismaClient): PaymentStore {
  return {
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
              throw conflict("payment_in_progress", "this payment link is being prepared by another request; retry in a moment");
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
