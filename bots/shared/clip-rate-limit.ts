/**
 * The per-user clip rate limit as the chat service uses it: one token bucket per user, in this
 * process ({@link memoryRateLimit}, the default) or in Redis (redis-rate-limit.ts), where every
 * instance serving the chats draws from the same buckets.
 */
import { type RateDecision, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

/** A per-user token bucket store. */
export interface ClipRateLimit {
  /** Where the buckets live, for the start-up log. */
  readonly description: string;
  /** Takes one token from `key`'s bucket: ok, or how long until the next one. Never throws. */
  take(key: string): Promise<RateDecision>;
  /** Gives a token back (the clip was not served). Never throws. */
  refund(key: string): Promise<void>;
  /** Releases connections (a no-op in memory). */
  close(): Promise<void>;
}

/**
 * Buckets in this process's memory (see {@link RateLimiter}).
 *
 * @param options - bucket size, refill time, number of buckets and clock
 * @throws RangeError when `capacity` < 1 or `perS` ≤ 0
 */
export function memoryRateLimit(options: RateLimiterOptions = {}): ClipRateLimit {
  const limiter = new RateLimiter(options);
  return {
    description: 'memory (this process only)',
    take: async (key) => limiter.take(key),
    refund: async (key) => limiter.refund(key),
    close: async () => {},
  };
}
