// Opens the database through Prisma's pg driver adapter and hands out the api's stores.
import { PrismaPg } from "@prisma/adapter-pg";
import type { AgentStore } from "../services/agents.js";
import type { PaymentStore } from "../services/payments.js";
import { PrismaClient } from "./prisma.js";
import { agentStore, paymentStore } from "./stores.js";

export interface Database {
  prisma: PrismaClient;
  stores: { agentStore: AgentStore; paymentStore: PaymentStore };
  close(): Promise<void>;
}

export function openDatabase(url: string): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  return {
    prisma,
    stores: { agentStore: agentStore(prisma), paymentStore: paymentStore(prisma) },
    close: () => prisma.$disconnect(),
  };
}
