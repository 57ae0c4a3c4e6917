// Response cache in Redis, dropped by the indexer's change messages rather than by waiting for a
// TTL: every cached discovery response is keyed under a generation number, and each message on the
// indexer's channel (sent after every committed batch) moves all api instances to a new
// generation, so a purchase shows in popularity on the next request. Old generations simply
// expire. Coarse on purpose: a batch touches few skills, and a miss costs one indexed query.
import type { Redis } from "ioredis";
import type { Logger } from "pino";

const GENERATION_KEY = "cache:generation";

export class ResponseCache {
  private generation = "0";
  private subscriber: Redis | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** Follows `channel`; resolves once subscribed, so no change published afterwards is missed. */
  async listen(channel: string): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on("message", () => {
      void this.invalidate().catch((err) => this.logger.warn({ err }, "cache invalidation failed"));
    });
    await this.subscriber.subscribe(channel);
    await this.sync();
  }

  /** A change happened: move to a new generation. */
  async invalidate(): Promise<void> {
    this.generation = String(await this.redis.incr(GENERATION_KEY));
  }

  async sync(): Promise<void> {
    this.generation = (await this.redis.get(GENERATION_KEY)) ?? "0";
  }

  /** The JSON text of `compute()`'s result, from the cache when the current generation has it; stored unless `keep` says no. */
  async json<T>(key: string, compute: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<{ json: string; hit: boolean }> {
    const full = `cache:g${this.generation}:${key}`;
    const cached = await this.redis.get(full);
    if (cached !== null) return { json: cached, hit: true };
    const value = await compute();
    const json = JSON.stringify(value);
    if (keep(value)) await this.redis.set(full, json, "EX", this.ttlSeconds);
    return { json, hit: false };
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
  }
}
