/**
 * Neutral {@link ChatAnswer} → what Telegram shows: an HTML-formatted message (every value
 * escaped) with an inline keyboard of 👍 / 👎 / "More like this" per result, and the
 * spectrogram as a photo when the answer has one. Pure: sending is reply.ts's job.
 */
import { InlineKeyboard } from 'grammy';
import { encodeAction, encodeMapAction } from '../shared/actions.js';
import { MESSAGES } from '../shared/messages.js';
import type { ChatAnswer, ResultItem } from '../shared/types.js';

/** Telegram's limit on a message's text, in UTF-16 code units. */
export const MESSAGE_LIMIT = 4096;

/** One answer as Telegram messages. */
export interface TelegramReply {
  /** Message text; HTML when `html` is true, plain otherwise. */
  readonly text: string;
  readonly html: boolean;
  /** Buttons under the message (results only). */
  readonly keyboard?: InlineKeyboard;
  /** The spectrogram PNG, sent as a photo after the message. */
  readonly photo?: Uint8Array;
  /** Caption of the photo (plain text). */
  readonly photoCaption?: string;
}

/** Caption under the spectrogram picture. */
export const SPECTROGRAM_CAPTION =
  'What I heard: the log-mel spectrogram of your clip (time →, pitch ↑).';

/**
 * Renders an answer.
 *
 * @param answer - what the chat service answered
 * @returns the text (HTML for results, plain for one-line answers), buttons and photo
 */
export function renderAnswer(answer: ChatAnswer): TelegramReply {
  if (answer.kind !== 'results') return { text: answer.text, html: false };
  const lines: string[] = [];
  if (answer.match) lines.push(`🎧 This sounds like: <b>${escapeHtml(answer.match.label)}</b>`);
  if (answer.heading) lines.push(`<b>${escapeHtml(answer.heading)}</b>`);
  if (answer.summary) lines.push(`<i>${escapeHtml(answer.summary)}</i>`);
  lines.push('');
  if (answer.results.length === 0) {
    lines.push('I found nothing similar in the catalogue.');
  } else {
    lines.push(answer.match || answer.heading ? 'Similar tracks:' : 'Tracks that sound like it:');
    for (const item of answer.results) lines.push(formatResultHtml(item));
  }
  if (answer.feedbackApplied) {
    lines.push('', '<i>Re-ranked with your 👍/👎 in this chat; /forget clears them.</i>');
  }
  const text = truncate(lines.join('\n'));
  return {
    text,
    html: true,
    ...(answer.results.length > 0
      ? { keyboard: resultsKeyboard(answer.results, answer.answerId) }
      : {}),
    ...(answer.spectrogramPng
      ? { photo: answer.spectrogramPng, photoCaption: SPECTROGRAM_CAPTION }
      : {}),
  };
}

/**
 * One result as two HTML lines: "1. <b>Title — Artist</b> · similarity 0.87", then the reason.
 */
export function formatResultHtml(item: ResultItem): string {
  const head = `${item.rank}. <b>${escapeHtml(item.label)}</b> · similarity ${item.similarity.toFixed(2)}`;
  return item.reason ? `${head}\n    <i>${escapeHtml(item.reason)}</i>` : head;
}

/**
 * The buttons under a results message: one row per result, "1 👍", "1 👎", "1 More like this",
 * each carrying {@link encodeAction}'s payload (well under Telegram's 64 bytes), and, given the
 * answer's id, a last row "🗺 Show on the map".
 */
export function resultsKeyboard(results: readonly ResultItem[], answerId?: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const item of results) {
    keyboard
      .text(`${item.rank} 👍`, encodeAction({ vote: 'up', trackId: item.trackId }))
      .text(`${item.rank} 👎`, encodeAction({ vote: 'down', trackId: item.trackId }))
      .text(`${item.rank} More like this`, encodeAction({ vote: 'more', trackId: item.trackId }))
      .row();
  }
  if (answerId !== undefined) keyboard.text(MESSAGES.mapButton, encodeMapAction(answerId));
  return keyboard;
}

/** Escapes text for Telegram's HTML parse mode (`&`, `<`, `>`, `"`). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Cuts a message to {@link MESSAGE_LIMIT} on a line boundary (results never get that long). */
function truncate(text: string): string {
  if (text.length <= MESSAGE_LIMIT) return text;
  const cut = text.lastIndexOf('\n', MESSAGE_LIMIT - 2);
  return `${text.slice(0, cut > 0 ? cut : MESSAGE_LIMIT - 2)}\n…`;
}
