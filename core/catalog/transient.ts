/**
 * Which database failures are worth a retry: the connection went away or the server is not
 * accepting connections yet (a PostgreSQL restart, a failover, a network blip). postgres-js
 * reconnects by itself on the next query, so retrying the same query after a short wait is all a
 * caller needs. Errors in the query itself (a constraint, a type, a syntax error) are not retried.
 *
 * Sources: postgres-js error codes (`CONNECTION_CLOSED`, `CONNECTION_DESTROYED`,
 * `CONNECT_TIMEOUT`; README "Error handling"), Node socket errno codes, and PostgreSQL SQLSTATEs
 * (Appendix A "PostgreSQL Error Codes": class 08 connection exception; 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now; 53300 too_many_connections).
 *
 * @module
 */

import { rootDbError } from './db-error.js';

/** postgres-js and Node codes of a lost or refused connection. `CONNECTION_ENDED` (we closed it) is not one. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTCONN',
]);

/** SQLSTATEs of a server shutting down, starting up or out of connection slots. */
const SERVER_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * True when `error` (or the driver error under drizzle's wrapper) means the connection was lost
 * or refused, so the same query may succeed once the server is back.
 *
 * @param error - anything a query threw
 */
export function isTransientDbError(error: unknown): boolean {
  const root = rootDbError(error);
  const code = (root as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return CONNECTION_CODES.has(code) || SERVER_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}

/** How long {@link withReconnect} keeps trying, in total, milliseconds (a restart takes 1–5 s). */
export const RECONNECT_BUDGET_MS = 30_000;

/** First and largest wait between tries, milliseconds (doubling in between). */
const FIRST_WAIT_MS = 100;
const MAX_WAIT_MS = 2_000;

/**
 * Runs `run`, and runs it again after a short wait (100 ms doubling to 2 s) while it fails with a
 * transient connection error, for up to {@link RECONNECT_BUDGET_MS} in total. Only for idempotent
 * work: a query whose connection died may or may not have committed.
 *
 * @param run - the query
 * @param budgetMs - total time to keep trying (default {@link RECONNECT_BUDGET_MS})
 * @returns what `run` resolves with
 * @throws the first non-transient error, or the last transient one once the budget is spent
 */
export async function withReconnect<T>(
  run: () => Promise<T>,
  budgetMs: number = RECONNECT_BUDGET_MS,
): Promise<T> {
  const deadline = performance.now() + budgetMs;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (!isTransientDbError(error) || performance.now() + wait > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(MAX_WAIT_MS, wait * 2);
    }
  }
}
