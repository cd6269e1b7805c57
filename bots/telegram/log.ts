/**
 * The adapter's log lines: one line per event, the bot token replaced by `<token>` wherever it
 * appears (a download URL in an error message, a library's debug text), never a stack trace; then
 * every other secret of the environment and anything token-shaped (`redactSecrets`).
 */
import { redactSecrets } from '../shared/config.js';

/** A log sink that takes one line. */
export type LogLine = (line: string) => void;

/** Writes a line to stderr. */
export const stderrLog: LogLine = (line) => {
  process.stderr.write(`${line}\n`);
};

/**
 * Wraps a sink so that the token, and any other secret of the environment, never reaches it.
 *
 * @param sink - where lines go
 * @param token - the bot token; also its numeric bot id prefix is left alone (it is public)
 * @returns a sink that redacts first
 */
export function redactingLog(sink: LogLine, token: string): LogLine {
  return (line) => sink(redactSecrets(redact(line, token)));
}

/** Replaces every occurrence of `token` (and its secret part after ":") in `text`. */
export function redact(text: string, token: string): string {
  let out = token ? text.replaceAll(token, '<token>') : text;
  const secret = token.split(':')[1];
  if (secret && secret.length >= 8) out = out.replaceAll(secret, '<token>');
  return out;
}

/** One line about an error, for logs: its name, code and message, never a stack. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const head = typeof code === 'string' ? `${error.name} ${code}` : error.name;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${head}: ${error.message}${cause}`;
}
