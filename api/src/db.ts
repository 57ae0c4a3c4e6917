// Opens the database through Prisma's pg driver adapter and hands out the api's stores: its own
// tables (agents, keys, payment requests) and its reads of the indexer's tables.
import { PrismaClient } from "@skill-marketplace/db";
import { PrismaPg } from "@prisma/adapter-pg";
import { createLogger, openPool, type Logger } from "@skill-marketplace/kit";
import { AnalyticsStore } from "./modules/analytics/store.js";
import { agentDirectoryStore, agentStore } from "./modules/agents/store.js";
import { licenseIndex, paymentStore } from "./modules/purchases/store.js";
import { Receipts } from "./modules/execute/receipts.js";
import { PublishStore } from "./modules/publishing/store.js";
import { ReviewStore } from "./modules/reviews/store.js";
import { SkillStore } from "./modules/skills/store.js";

export function openDatabase(url: string, options: { poolSize?: number; logger?: Logger } = {}) {
  // One pool: Prisma's driver adapter and the hot discovery reads (raw pg, prepared) share it.
  // An idle connection the server ends (a restart, a dropped database) is logged, not fatal.
  const pool = openPool(url, options.logger ?? createLogger("api", "silent"), options.poolSize ?? 10);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    stores: {
      agentStore: agentStore(prisma),
      agentDirectoryStore: agentDirectoryStore(prisma),
      paymentStore: paymentStore(prisma, pool),
      licenseIndex: licenseIndex(prisma),
      skillStore: new SkillStore(prisma, pool),
      reviewStore: new ReviewStore(prisma),
      analyticsStore: new AnalyticsStore(prisma),
      receipts: new Receipts(prisma),
      publishStore: new PublishStore(prisma),
      /** Resolves once the database answers a trivial query. */
      ping: async () => {
        await prisma.$queryRaw`SELECT 1`;
      },
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

export type Database = ReturnType<typeof openDatabase>;
export type Stores = Database["stores"];
