/**
 * Whether the local services a suite needs answer, so that a suite without them is reported as
 * skipped (with what to set) instead of passing empty.
 */
import net from 'node:net';

/**
 * Resolves true when something at the Redis URL answers PING with PONG within 2 s.
 *
 * @param url - e.g. redis://127.0.0.1:6379 (port 6379 when absent)
 */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * Resolves true when a TCP connection to the URL's host and port opens within 2 s.
 *
 * @param url - e.g. postgresql://postgres@127.0.0.1:5432/test (port 5432 when absent)
 */
export function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => done(true));
  });
}

/**
 * Why a suite that needs both PostgreSQL (`TEST_DATABASE_URL`) and Redis cannot run here, or ''
 * when both answer.
 *
 * @param adminUrl - `TEST_DATABASE_URL`, if set
 * @param redisUrl - the Redis URL the suite uses
 * @returns one line naming what to set or start, or '' when the suite can run
 */
export async function postgresAndRedisSkipReason(
  adminUrl: string | undefined,
  redisUrl: string,
): Promise<string> {
  if (!adminUrl) return 'set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test';
  if (!(await redisAnswers(redisUrl))) {
    return `no Redis answers at ${redisUrl}: start one or set REDIS_URL=redis://…`;
  }
  if (!(await portOpen(adminUrl))) {
    return `PostgreSQL is unreachable at ${new URL(adminUrl).host}: check TEST_DATABASE_URL`;
  }
  return '';
}
