// Fixed-window rate limits in Redis, per API key and per client IP, shared by every api instance.
// Asking Redis on every request would cost a round trip each time, so an instance takes a lease:
// it counts a small batch of requests in Redis at once and admits them locally. A lease is a
// sixteenth of what is left of the window's budget (at most 64, at least 1), so near the limit
// every request is counted in Redis one by one and the limit holds exactly; the price is that
// requests leased but not used still count, so a subject may be refused a little early (at most
// a sixteenth of its budget per instance), never late.
import type { Redis } from "ioredis";
import { rateLimited, unavailable } from "../errors.js";

// Adds ARGV[2] to the window's count (starting its expiry on the first hit); returns the new count.
const COUNT_IN_WINDOW = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

type Counting = Redis & { countInWindow(key: string, windowSeconds: number, requests: number): Promise<number> };

const MAX_LEASE = 64;
const LEASE_FRACTION = 16;
/** Leases kept before those of past windows are dropped. */
const MAX_LEASES = 10_000;

interface Lease {
  window: number;
  /** Requests counted in Redis and not yet admitted. */
  left: number;
  /** How many to count at the next trip to Redis. */
  next: number;
  /** The window's count in Redis reached the limit: every further request in it is refused. */
  spent: boolean;
  /** A trip to Redis under way for this subject; others wait for it instead of making their own. */
  trip: Promise<void> | null;
}

export class RateLimiter {
  private readonly redis: Counting;
  private readonly leases = new Map<string, Lease>();

  constructor(
    redis: Redis,
    private readonly windowSeconds: number,
  ) {
    // defineCommand sends EVALSHA (the script body only once per connection).
    if (!("countInWindow" in redis)) redis.defineCommand("countInWindow", { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
    this.redis = redis as Counting;
  }

  /** Counts one request for `subject`; throws rate_limited, saying when to retry, once over `limit`. */
  async hit(subject: string, limit: number, nowMs = Date.now()): Promise<void> {
    const window = Math.floor(nowMs / 1000 / this.windowSeconds);
    const key = `ratelimit:${subject}:${window}`;
    const lease = this.leaseFor(key, window);
    for (;;) {
      if (lease.left > 0) {
        lease.left -= 1;
        return;
      }
      if (lease.spent) {
        const windowEnd = (window + 1) * this.windowSeconds * 1000;
        throw rateLimited(Math.max(1, Math.ceil((windowEnd - nowMs) / 1000)));
      }
      if (lease.trip) {
        await lease.trip;
        continue;
      }
      lease.trip = this.renew(key, lease, limit).finally(() => {
        lease.trip = null;
      });
      await lease.trip;
    }
  }

  /** Counts the next batch in Redis and leases what of it fits within the limit. */
  private async renew(key: string, lease: Lease, limit: number): Promise<void> {
    const asked = lease.next;
    // Without Redis nothing can be counted: the request is refused as retryable (503), not let through.
    const count = await this.redis.countInWindow(key, this.windowSeconds, asked).catch((error: Error) => {
      throw unavailable(`rate limits cannot be counted: Redis does not answer (${error.message})`);
    });
    lease.left += Math.max(0, Math.min(asked, limit - (count - asked)));
    lease.next = Math.min(MAX_LEASE, Math.max(1, Math.floor((limit - count) / LEASE_FRACTION)));
    lease.spent = count >= limit;
  }

  private leaseFor(key: string, window: number): Lease {
    let lease = this.leases.get(key);
    if (!lease) {
      if (this.leases.size >= MAX_LEASES) {
        // Past windows' leases go first; if the current window alone fills the map, the oldest
        // tenth goes (its subjects just ask Redis again), so the sweep is not paid per request.
        for (const [k, l] of this.leases) if (l.window < window && !l.trip) this.leases.delete(k);
        let excess = this.leases.size - Math.floor(MAX_LEASES * 0.9);
        for (const k of this.leases.keys()) {
          if (excess-- <= 0) break;
          this.leases.delete(k);
        }
      }
      lease = { window, left: 0, next: 1, spent: false, trip: null };
      this.leases.set(key, lease);
    }
    return lease;
  }
}
