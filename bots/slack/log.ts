/**
 * The Slack adapter's logger: one Bolt {@link Logger} that redacts secrets (the configured
 * tokens and signing secret, and anything shaped like a Slack token) before a line is written.
 * Bolt and its Web API client log through it too.
 */
import { type Logger, LogLevel } from '@slack/bolt';
import { redactSecrets } from '../shared/config.js';
import type { SlackLogSink } from './options.js';

const SEVERITY: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

/** Anything shaped like a Slack token (bot, user, app, config, refresh). */
const TOKEN_PATTERN = /\bx(?:ox[abeoprs]|app)-[A-Za-z0-9-]+/g;

/** The default sink: one line per call on stderr. */
export const stderrSink: SlackLogSink = (level, line) => {
  process.stderr.write(`[slack] ${level}: ${line}\n`);
};

function describe(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string' ? `${value.message} (${code})` : value.message;
  }
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Replaces every secret in `text` by "[redacted]".
 *
 * @param text - a line about to be logged
 * @param secrets - the exact values to hide (tokens, signing secret); short ones are ignored
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  // Then every other secret of the environment (another platform's token, a database password).
  return redactSecrets(out.replace(TOKEN_PATTERN, '[redacted]'));
}

/**
 * Builds the adapter's logger.
 *
 * @param sink - where lines go
 * @param secrets - values never to write (bot token, app token, signing secret)
 * @param level - the lowest level written (default info)
 * @returns a Bolt logger; errors are written as their message (and code), never a stack trace
 */
export function createSlackLogger(
  sink: SlackLogSink,
  secrets: readonly string[],
  level: LogLevel = LogLevel.INFO,
): Logger {
  let current = level;
  const write =
    (at: LogLevel) =>
    (...message: unknown[]): void => {
      if (SEVERITY[at] < SEVERITY[current]) return;
      sink(at, redact(message.map(describe).join(' '), secrets));
    };
  return {
    debug: write(LogLevel.DEBUG),
    info: write(LogLevel.INFO),
    warn: write(LogLevel.WARN),
    error: write(LogLevel.ERROR),
    setLevel(next) {
      current = next;
    },
    getLevel: () => current,
    setName() {},
  };
}
