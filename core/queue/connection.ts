/**
 * Where the ingest queue lives: a Redis URL (`redis://[:password@]host[:port][/db]`), turned into
 * the ioredis options BullMQ takes. Explicit option, then `REDIS_URL`, then the local default.
 *
 * @module
 */
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
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

/** How long {@link checkRedis} waits for Redis to answer, ms. */
export const REDIS_CHECK_MS = 5_000;

/**
 * Checks that the Redis of `connection` answers a PING, once and within `timeoutMs`: BullMQ's own
 * clients retry a refused or silent server forever, so a command run against a Redis that is not
 * there would wait without a word.
 *
 * @param connection - options from {@link redisConnection}
 * @param timeoutMs - the longest wait, connection and PING together
 * @throws SynestheteError `E_CONFIG` naming the host, the port and the reason (e.g.
 *   `ECONNREFUSED`) when Redis cannot be reached or does not answer in time
 */
export async function checkRedis(
  connection: ConnectionOptions,
  timeoutMs = REDIS_CHECK_MS,
): Promise<void> {
  const options = connection as RedisOptions;
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND, …) says more than the rejection that follows.
  let socketError: NodeJS.ErrnoException | undefined;
  client.on('error', (error: NodeJS.ErrnoException) => {
    socketError ??= error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    const first = socketError ?? (error as NodeJS.ErrnoException);
    const reason = first.code ?? (first instanceof Error ? first.message : String(first));
    throw new SynestheteError(
      'E_CONFIG',
      `cannot reach Redis at ${where} (${reason}): start it (e.g. \`docker compose up -d redis\`), or name another with --redis or REDIS_URL`,
      { cause: first },
    );
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
