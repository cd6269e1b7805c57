/**
 * Turns a database failure into a short, printable reason. drizzle-orm ≥ 0.44 wraps every driver
 * error in a `DrizzleQueryError` whose message holds the SQL and *all parameters* (thousands of
 * embedding floats, user data); the driver's own error is its `cause`, so that is what we print.
 *
 * @module
 */

import { DrizzleQueryError } from 'drizzle-orm/errors';

/** Longest reason kept in a user-facing message, in characters. */
const MAX_REASON = 300;

/**
 * The driver-level error under any drizzle query wrapper.
 *
 * @param error - anything thrown by drizzle or a driver
 * @returns the innermost non-drizzle error (or `error` itself)
 */
export function rootDbError(error: unknown): unknown {
  let current = error;
  while (current instanceof DrizzleQueryError && current.cause !== undefined) {
    current = current.cause;
  }
  return current;
}

/**
 * A one-line reason for a database failure: the driver's message (plus its `code`, e.g.
 * `ECONNREFUSED` or a SQLSTATE, when the message lacks it), whitespace collapsed, at most 300
 * characters.
 *
 * @param error - anything thrown
 * @returns a single line, never empty
 */
export function describeDbError(error: unknown): string {
  const root = rootDbError(error);
  let text = root instanceof Error ? root.message : describeThrown(root);
  const code = (root as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '' && !text.includes(code)) text = `${text} (${code})`;
  text = text.replace(/\s+/g, ' ').trim() || 'unknown error';
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/**
 * Text for a thrown value that is not an Error (PGlite's WebAssembly runtime throws plain objects
 * such as `{ name: 'ExitStatus', status: 1 }`, which `String()` prints as "[object Object]").
 */
function describeThrown(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const { message, name, status } = value as {
    message?: unknown;
    name?: unknown;
    status?: unknown;
  };
  if (typeof message === 'string' && message !== '') return message;
  const parts = [typeof name === 'string' ? name : 'error'];
  if (typeof status === 'number') parts.push(`status ${status}`);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined && json !== '{}') parts.push(json);
  } catch {
    // circular: name and status are all we can say
  }
  return parts.join(' ');
}
