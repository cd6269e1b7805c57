/**
 * The web chat's spectrogram pictures in Redis, for several instances behind one balancer: the
 * page fetches an answer's picture by URL after the answer, and that request may reach another
 * instance than the one that answered. Each picture is kept 10 minutes, bound to the session that
 * asked for it (as in the memory cache).
 */
import { Redis } from 'ioredis';
import type { SpectrogramStore } from './spectrogram-cache.js';

/** How long a picture is kept, seconds. */
const TTL_S = 600;

/**
 * A picture store in Redis. A Redis failure loses the picture (the page shows none), never the
 * answer; it is logged once until Redis answers again.
 *
 * @param url - `redis://` or `rediss://` URL
 * @param log - where a failure is reported
 * @returns the store; `close()` ends the connection
 */
export function redisSpectrogramStore(
  url: string,
  log: (message: string) => void,
): SpectrogramStore & { close(): Promise<void> } {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
  redis.on('error', () => {}); // reported per call below, once
  let failing = false;
  const guard = async <T>(what: string, run: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      const result = await run();
      failing = false;
      return result;
    } catch (error) {
      if (!failing) log(`web chat: Redis failed to ${what}: ${String(error)}`);
      failing = true;
      return fallback;
    }
  };
  const key = (answerId: string) => `synesthete:picture:${answerId}`;
  return {
    put: (answerId, session, png) =>
      guard(
        'keep a picture',
        async () => {
          await redis
            .multi()
            .hset(key(answerId), 'session', session, 'png', Buffer.from(png))
            .expire(key(answerId), TTL_S)
            .exec();
        },
        undefined,
      ),
    get: (answerId, session) =>
      guard(
        'read a picture',
        async () => {
          const [owner, png] = await redis.hmgetBuffer(key(answerId), 'session', 'png');
          if (!owner || !png || session === undefined || owner.toString() !== session) {
            return undefined;
          }
          return new Uint8Array(png);
        },
        undefined,
      ),
    async close() {
      redis.disconnect();
    },
  };
}
