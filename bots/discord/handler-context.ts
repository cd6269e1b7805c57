/**
 * What the Discord event handlers share: the chat service, the logger, the download ceiling,
 * the one polite text users see when something breaks, and log-safe error descriptions.
 */
import type { ChatService } from '../shared/types.js';

/** Dependencies of the message and interaction handlers. */
export interface HandlerContext {
  readonly service: ChatService;
  /** One log line (no secrets are ever passed to it). */
  readonly log: (line: string) => void;
  /** Download ceiling per attachment in bytes. */
  readonly maxDownloadBytes: number;
}

/** What a user sees when the adapter itself fails (never a stack trace). */
export const SORRY_TEXT = 'Sorry, something went wrong on my side. Please try again in a moment.';

/** What a user sees for a button the bot does not know (an old or foreign message). */
export const STALE_BUTTON_TEXT = 'That button is no longer active. Send the clip again.';

/** What a user sees after "Find similar" on a message without audio. */
export const NO_AUDIO_TEXT =
  'That message has no voice message or audio file. Try "Find similar" on one that has.';

/**
 * One log line for an error: name, code, message and HTTP status, with interaction and webhook
 * tokens in URLs replaced by "[token]" (discord.js puts the request URL in API errors).
 *
 * @param error - anything thrown
 */
export function describeError(error: unknown): string {
  const record = error as {
    name?: unknown;
    code?: unknown;
    status?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  // discord.js builders throw a CombinedError whose message says only "Received one or more
  // errors": name the first one.
  const first = Array.isArray(record?.errors) ? (record.errors[0] as { message?: unknown }) : {};
  const parts = [
    typeof record?.name === 'string' ? record.name : 'Error',
    record?.code === undefined ? '' : `[${String(record.code)}]`,
    record?.status === undefined ? '' : `HTTP ${String(record.status)}`,
    typeof record?.message === 'string' ? record.message : String(error),
    typeof first?.message === 'string' ? `(first: ${first.message})` : '',
  ];
  return redactTokens(parts.filter(Boolean).join(' '));
}

/**
 * Removes interaction/webhook tokens from URLs in a text.
 *
 * @param text - e.g. an error message naming ".../webhooks/123/aW50ZXJh.../messages/@original"
 */
export function redactTokens(text: string): string {
  return text
    .replace(/(\/webhooks\/\d+\/)[^/\s?]+/g, '$1[token]')
    .replace(/(\/interactions\/\d+\/)[^/\s?]+/g, '$1[token]');
}
