/**
 * Debug logging for failures the engine handles on purpose (a missing optional package, a process
 * already gone, a tag reader that gives up): silent by default, printed to stderr when
 * `NODE_DEBUG=synesthete` is set (Node's `util.debuglog`), so that nothing is hidden for good.
 *
 * @module
 */
import { debuglog } from 'node:util';

const log = debuglog('synesthete');

/**
 * Logs a handled failure at debug level.
 *
 * @param what - what was being done, e.g. "reading tags of song.mp3"
 * @param error - what was thrown (its message, or its `code` for a system error, is printed)
 */
export function debugFailure(what: string, error: unknown): void {
  if (!log.enabled) return;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  log(
    '%s failed: %s',
    what,
    typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message,
  );
}
