/**
 * The per-user clip rate limit in Redis, shared by every instance serving the chats: the same
 * token bucket as rate-limiter.ts (capacity `capacity`, refilled at `capacity / perS` tokens a
 * second), kept in one Redis hash per user and updated by one Lua script, atomically, on Redis's
 * own clock (so instances whose clocks differ still agree). A bucket left full expires.
 *
 * When Redis cannot be reached the clip is let through (a rate limit is no reason to stop
 * answering) and the failure is logged once until Redis answers again.
 */
import { Redis } from 'ioredis';
import type { ClipRateLimit } from './clip-rate-limit.js';
import type { RateDecision } from './rate-limiter.js';

/** Takes (cost 1) or refunds (cost −1) one token; returns [ok, tokens left]. */
const BUCKET_SCRIPT = `
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = cap; at = now end
tokens = math.min(cap, tokens + math.max(0, now - at) * rate)
local ok = 0
if cost < 0 then
  tokens = math.min(cap, tokens - cost)
  ok = 1
elseif tokens >= cost then
  tokens = tokens - cost
  ok = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 1000)
return {ok, tostring(tokens)}
`;

/** Options of {@link redisRateLimit}. */
export interface RedisRateLimitOptions {
  /** Burst size (integer ≥ 1, default 6). */
  readonly capacity?: number | undefined;
  /** Seconds to refill a whole bucket (> 0, default 60). */
  readonly perS?: number | undefined;
  /** Key prefix (default `synesthete:rate:`). */
  readonly prefix?: string | undefined;
  /** Where a Redis failure is reported (one line). */
  readonly log?: ((line: string) => void) | undefined;
}

/**
 * Token buckets in Redis.
 *
 * @example
 * ```ts
 * const limit = redisRateLimit('redis://127.0.0.1:6379', { capacity: 6, perS: 60 });
 * const decision = await limit.take('telegram:42');
 * ```
 * @param url - `redis://` or `rediss://` URL
 * @param options - bucket size, refill time, key prefix, log
 * @returns the limiter; `close()` ends the connection
 * @throws RangeError when `capacity` < 1 or `perS` ≤ 0
 */
export function redisRateLimit(url: string, options: RedisRateLimitOptions = {}): ClipRateLimit {
  const capacity = options.capacity ?? 6;
  const perS = options.perS ?? 60;
  if (!(capacity >= 1)) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  if (!(perS > 0)) throw new RangeError(`perS must be > 0, got ${perS}`);
  const rate = capacity / (perS * 1000); // tokens per ms
  const prefix = options.prefix ?? 'synesthete:rate:';
  const redis = new Redis(url, {
    // A command waits for the connection at most one reconnection and one second.
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
  });
  let failing = false;
  redis.on('error', () => {}); // reported per call below, once
  const run = async (key: string, cost: number): Promise<RateDecision> => {
    try {
      const [ok, left] = (await redis.eval(
        BUCKET_SCRIPT,
        1,
        prefix + key,
        capacity,
        rate,
        cost,
      )) as [number, string];
      failing = false;
      if (ok === 1) return { ok: true };
      return { ok: false, retryAfterS: Math.max(0.001, (1 - Number(left)) / rate / 1000) };
    } catch (error) {
      if (!failing) {
        const reason = error instanceof Error ? error.message : String(error);
        options.log?.(
          `[rate-limit] Redis failed (${reason}): clips are let through until it answers`,
        );
      }
      failing = true;
      return { ok: true };
    }
  };
  return {
    description: `Redis (shared by every instance)`,
    take: (key) => run(key, 1),
    refund: async (key) => {
      await run(key, -1);
    },
    async close() {
      redis.disconnect();
    },
  };
}
