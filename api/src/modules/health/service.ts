// Whether the api can serve: the database, Redis and the chain each answer within a second. A
// supervisor waits for this before it calls the stack ready; a load balancer takes an instance
// out while it fails.
import type { Connection } from "@solana/web3.js";
import type { Redis } from "ioredis";
import { unavailable } from "../../errors.js";

export interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

const TIMEOUT_MS = 1_000;

async function timed<T>(work: () => Promise<T>): Promise<Check & { value?: T }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      work(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS))),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started), value };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export class Health {
  constructor(
    private readonly deps: { pingDatabase: () => Promise<void>; redis: Redis; connection: Connection },
  ) {}

  async check() {
    const [database, redis, chain] = await Promise.all([
      timed(() => this.deps.pingDatabase()),
      timed(() => this.deps.redis.ping()),
      timed(() => this.deps.connection.getSlot("confirmed")),
    ]);
    const checks = {
      database: { ok: database.ok, ms: database.ms, ...(database.error ? { error: database.error } : {}) },
      redis: { ok: redis.ok, ms: redis.ms, ...(redis.error ? { error: redis.error } : {}) },
      chain: { ok: chain.ok, ms: chain.ms, ...(chain.error ? { error: chain.error } : { slot: chain.value }) },
    };
    const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
    if (failing.length > 0) throw unavailable(`not answering: ${failing.join(", ")}`, checks);
    return { status: "ok" as const, checks };
  }
}
