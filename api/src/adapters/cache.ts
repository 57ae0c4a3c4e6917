// Response cache in Redis, dropped by the indexer's change messages rather than by waiting for a
// TTL: every cached discovery response is keyed under a generation number, and each message on the
// indexer's channel (sent after every committed batch) names the generation the indexer moved the
// shared counter to, so all api instances move to that same generation (and share what they cache
// under it); a purchase shows in popularity on the next request. Old generations simply
// expire. Coarse on purpose: a batch touches few skills, and a miss costs one indexed query.
// In front of Redis, each process keeps its hottest answers of the current generation in memory
// (bounded, emptied when the generation moves), so a popular page costs no round trip at all; they
// are also found by the request's URL, so the app can answer a repeated request before routing
// and validating it again (`byUrl`). Sending an answer is http/'s business (`http/cached.ts`).
// Redis is shared with rate limits and sign-in nonces, which must never be evicted, so the cache
// bounds itself: the bytes it stores per TTL window are counted in Redis, and past the budget
// answers are served uncached; since an entry lives one TTL, the cache never holds more than two
// windows' budgets, however many distinct queries are asked.
import type { Redis } from "ioredis";
import { createHash } from "node:crypto";
import { CACHE_GENERATION_KEY, decodeInvalidation } from "@skill-marketplace/sdk";
import type { Logger } from "pino";

/** Answers kept in process memory: how many, how many bytes in all, and the largest one kept there. */
const LOCAL_ENTRIES = 512;
const LOCAL_BUDGET_BYTES = 32 * 1024 * 1024;
const LOCAL_MAX_BYTES = 256 * 1024;

/**
 * A cached answer, ready to send: its JSON as bytes and its entity tag, both made once per answer
 * rather than per request, and whether it came from the cache.
 */
export class Cached {
  private constructor(
    readonly body: Buffer,
    readonly etag: string,
    readonly hit: boolean,
  ) {}

  static of(json: string, hit: boolean): Cached {
    const body = Buffer.from(json, "utf8");
    return new Cached(body, `"${createHash("sha1").update(body).digest("base64url")}"`, hit);
  }

  /** The same answer, told as a miss (it was computed for this request). */
  asMiss(): Cached {
    return new Cached(this.body, this.etag, false);
  }
}

const answer = (json: string, hit: boolean) => Cached.of(json, hit);

// Stores ARGV[1] under KEYS[1] for ARGV[2] seconds unless the window's byte count (KEYS[2]) would
// pass ARGV[3]; the count expires with the window's last entry. Returns 1 when stored.
const STORE_WITHIN_BUDGET = `
local size = string.len(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used + size > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if redis.call('INCRBY', KEYS[2], size) == size then redis.call('EXPIRE', KEYS[2], 2 * tonumber(ARGV[2])) end
return 1`;

type Storing = Redis & { storeWithinBudget(key: string, counter: string, json: string, ttlSeconds: number, budgetBytes: number): Promise<number> };

/** Redis keys of the cache's byte counts, one per TTL window. */
export const CACHE_BYTES_KEY = "cache:bytes";

export class ResponseCache {
  private generation = "0";
  private subscriber: Redis | null = null;
  /** key → answer and the time it stops being served (the Redis TTL, counted from when it was read). */
  private readonly local = new Map<string, { cached: Cached; until: number }>();
  /** Bytes of the answers in `local` (an answer kept under two names counts twice). */
  private localBytes = 0;

  private readonly redis: Storing;

  constructor(
    redis: Redis,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
    /** Bytes the cache may store in Redis per TTL window. */
    private readonly budgetBytes = 64 * 1024 * 1024,
  ) {
    if (!("storeWithinBudget" in redis)) redis.defineCommand("storeWithinBudget", { numberOfKeys: 2, lua: STORE_WITHIN_BUDGET });
    this.redis = redis as Storing;
  }

  /** Follows `channel`; resolves once subscribed, so no change published afterwards is missed. */
  async listen(channel: string): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableAutoPipelining: false });
    this.subscriber.on("message", (_channel: string, text: string) => {
      // Any message moves the generation; one that is not the indexer's is worth a warning.
      const message = decodeInvalidation(text);
      if (!message) this.logger.warn({ text: text.slice(0, 200) }, "unexpected message on the invalidation channel");
      void this.follow(message?.generation).catch((err) => this.logger.warn({ err }, "cache invalidation failed"));
    });
    await this.subscriber.subscribe(channel);
    await this.sync();
    // Messages sent while the subscription was down are lost: after a reconnect, catch up with the counter.
    this.subscriber.on("ready", () => {
      void this.sync().catch((err) => this.logger.warn({ err }, "cache generation not read after reconnecting"));
    });
  }

  /** Answers not cached because the window's budget was spent (since start). */
  overBudget = 0;

  /** The generation answers are cached under now. */
  get currentGeneration(): string {
    return this.generation;
  }

  /**
   * A change was announced: move to the generation the message names when it is ahead of ours
   * (one we already reached, by reading the counter at start or after a reconnect, changes
   * nothing: moving on would take this instance away from the others); a message without one
   * moves us to a new generation of our own.
   */
  private async follow(generation: number | undefined): Promise<void> {
    if (generation === undefined) await this.invalidate();
    else if (generation > Number(this.generation)) this.moveTo(String(generation));
  }

  /** A change happened: move to a new generation. */
  async invalidate(): Promise<void> {
    this.moveTo(String(await this.redis.incr(CACHE_GENERATION_KEY)));
  }

  /**
   * Catches up with the shared counter. Only forward: a read that was under way while a message
   * moved us on must not take us back to a generation whose answers predate that change.
   */
  async sync(): Promise<void> {
    const shared = Number((await this.redis.get(CACHE_GENERATION_KEY)) ?? "0");
    if (shared > Number(this.generation)) this.moveTo(String(shared));
  }

  private moveTo(generation: string): void {
    if (generation !== this.generation) {
      this.local.clear();
      this.localBytes = 0;
    }
    this.generation = generation;
  }

  /** Keeps `json` in memory for `liveMs` (what is left of its life in Redis). */
  private remember(key: string, json: string, liveMs: number, url?: string): Cached {
    const cached = answer(json, true);
    if (cached.body.length > LOCAL_MAX_BYTES || liveMs <= 0) return cached;
    const entry = { cached, until: Date.now() + liveMs };
    for (const k of url ? [key, `url:${url}`] : [key]) {
      const replaced = this.local.get(k);
      if (replaced) {
        this.local.delete(k);
        this.localBytes -= replaced.cached.body.length;
      }
      // Oldest first out, by count and by bytes.
      while (this.local.size >= LOCAL_ENTRIES || (this.local.size > 0 && this.localBytes + cached.body.length > LOCAL_BUDGET_BYTES)) {
        const [oldest, dropped] = this.local.entries().next().value!;
        this.local.delete(oldest);
        this.localBytes -= dropped.cached.body.length;
      }
      this.local.set(k, entry);
      this.localBytes += cached.body.length;
    }
    return cached;
  }

  /**
   * The answer remembered for a request URL (path and query exactly as sent) in the current
   * generation. Only public, caller-independent answers are remembered this way: `json` is given
   * the URL only by routes whose answer depends on nothing but it.
   */
  byUrl(url: string): Cached | undefined {
    const local = this.local.get(`url:${url}`);
    return local && local.until > Date.now() ? local.cached : undefined;
  }

  /** `compute()`'s result as JSON, from the cache when the current generation has it; stored unless `keep` says no. */
  async json<T>(key: string, compute: () => Promise<T>, keep: (value: T) => boolean = () => true, url?: string): Promise<Cached> {
    const generation = this.generation;
    const full = `cache:g${generation}:${key}`;
    const local = this.local.get(full);
    if (local && local.until > Date.now()) return local.cached;
    // An answer read or computed while the generation moved is not remembered in memory: it may
    // predate the change, and the URL alias carries no generation of its own.
    const moved = () => generation !== this.generation;
    // The entry's remaining life comes in the same round trip (auto-pipelined), so memory never
    // serves it longer than Redis would.
    const [cached, liveMs] = await Promise.all([this.redis.get(full), this.redis.pttl(full)]);
    if (cached !== null) return moved() ? answer(cached, true) : this.remember(full, cached, liveMs, url);
    const value = await compute();
    const json = JSON.stringify(value);
    if (!keep(value)) return answer(json, false);
    const window = Math.floor(Date.now() / (this.ttlSeconds * 1000));
    const stored = await this.redis.storeWithinBudget(full, `${CACHE_BYTES_KEY}:${window}`, json, this.ttlSeconds, this.budgetBytes);
    if (stored !== 1) {
      // Over budget: served, not cached anywhere (memory would then hold what Redis does not).
      this.overBudget++;
      return answer(json, false);
    }
    return moved() ? answer(json, false) : this.remember(full, json, this.ttlSeconds * 1000, url).asMiss();
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
  }
}
