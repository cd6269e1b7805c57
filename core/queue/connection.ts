/**
 * Where the ingest queue lives: a Redis URL (`redis://[:password@]host[:port][/db]`), turned into
 * the ioredis options BullMQ takes. Explicit option, then `REDIS_URL`, then the local default.
 *
 * @module
 */
import type { ConnectionOptions } from 'bullmq';
import { SynestheteError } from '../util/errors.js';

/** Redis used when neither an option nor `REDIS_URL` names one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Name of the ingest queue unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'synesthete-ingest';

/**
 * ioredis connection options for a Redis URL.
 *
 * @param url - `redis://` or `rediss://` URL; default `REDIS_URL`, then {@link DEFAULT_REDIS_URL}
 * @throws SynestheteError `E_CONFIG` for anything that is not a redis URL
 */
export function redisConnection(
  url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SynestheteError('E_CONFIG', `not a Redis URL: ${url} (expected redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new SynestheteError(
      'E_CONFIG',
      `not a Redis URL: ${parsed.protocol} (expected redis://)`,
    );
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
