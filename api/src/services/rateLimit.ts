// Fixed-window rate limits in Redis, per API key and per client IP: one INCR (+ EXPIRE on the first
// hit of a window) per check, so every api instance shares the same counters.
import type { Redis } from "ioredis";
import { tooManyRequests } from "../http/errors.js";

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one request for `subject`; throws 429 with Retry-After once over `limit`. */
  async hit(subject: string, limit: number, nowMs = Date.now()): Promise<void> {
    const window = Math.floor(nowMs / 1000 / this.windowSeconds);
    const key = `ratelimit:${subject}:${window}`;
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, this.windowSeconds, "NX").exec()) as [[null, number], unknown];
    if (count > limit) {
      const windowEnd = (window + 1) * this.windowSeconds * 1000;
      throw tooManyRequests(Math.max(1, Math.ceil((windowEnd - nowMs) / 1000)));
    }
  }
}
