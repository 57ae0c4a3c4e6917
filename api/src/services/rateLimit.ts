// Fixed-window rate limits in Redis, per API key and per client IP, so every api instance shares the
// same counters. One scripted command per check (count, and start the window's expiry on its first
// hit): a single round trip, which matters because every request pays it.
import type { Redis } from "ioredis";
import { tooManyRequests } from "../http/errors.js";

const COUNT_IN_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

type Counting = Redis & { countInWindow(key: string, windowSeconds: number): Promise<number> };

export class RateLimiter {
  private readonly redis: Counting;

  constructor(
    redis: Redis,
    private readonly windowSeconds: number,
  ) {
    // defineCommand sends EVALSHA (the script body only once per connection).
    if (!("countInWindow" in redis)) redis.defineCommand("countInWindow", { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
    this.redis = redis as Counting;
  }

  /** Counts one request for `subject`; throws 429 with Retry-After once over `limit`. */
  async hit(subject: string, limit: number, nowMs = Date.now()): Promise<void> {
    const window = Math.floor(nowMs / 1000 / this.windowSeconds);
    const count = await this.redis.countInWindow(`ratelimit:${subject}:${window}`, this.windowSeconds);
    if (count > limit) {
      const windowEnd = (window + 1) * this.windowSeconds * 1000;
      throw tooManyRequests(Math.max(1, Math.ceil((windowEnd - nowMs) / 1000)));
    }
  }
}
