// Data access for agent accounts and API keys (the api's own tables, through Prisma): the one
// file that knows their layout.
import type { PrismaClient } from "@skill-marketplace/db";
import type { AgentStore, KeyRecord, Profile } from "./service.js";

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
    async addKey(k, limit) {
      // The cap is held by the database: the agent's row is locked while its active keys are
      // counted and the new one inserted, so parallel requests take turns and cannot overshoot.
      return db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT wallet FROM agent_accounts WHERE wallet = ${k.wallet} FOR UPDATE`;
        const active = await tx.apiKey.count({ where: { wallet: k.wallet, revokedAt: null } });
        if (active >= limit) return null;
        return key(await tx.apiKey.create({ data: { wallet: k.wallet, prefix: k.prefix, hash: Buffer.from(k.hash), label: k.label } }));
      });
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

/** What the public agent page reads: the on-chain profile, the seller's reputation, the off-chain profile. */
export function agentDirectoryStore(db: PrismaClient) {
  return {
    onChain: (wallet: string) => db.agent.findUnique({ where: { wallet } }),
    reputation: (wallet: string) => db.sellerReputation.findUnique({ where: { seller: wallet } }),
    profile: (wallet: string) => db.agentAccount.findUnique({ where: { wallet } }),
  };
}

export type AgentDirectoryStore = ReturnType<typeof agentDirectoryStore>;
