/**
 * Plain-text rendering of answers that every adapter can use as is (web, logs, fallbacks) or line
 * by line inside its own layout (Telegram message, Slack blocks, Discord embed).
 */
import { MESSAGES } from './messages.js';
import type { ChatAnswer, MatchItem, ResultItem } from './types.js';

/**
 * Formats a confidence as a whole percentage.
 *
 * @param confidence - in [0, 1]
 * @returns e.g. "87 %"
 */
export function formatPercent(confidence: number): string {
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)} %`;
}

/**
 * One result line.
 *
 * @returns e.g. "1. Nebula — Alex · 87 % · same tempo (128 BPM), bright timbre"
 */
export function formatResult(item: ResultItem): string {
  return `${item.rank}. ${item.label} · ${formatPercent(item.confidence)} · ${item.reason}`;
}

/**
 * The line naming the catalogue track the clip itself is.
 *
 * @returns e.g. "🎯 This sounds like Metal madness — Alex."
 */
export function formatMatch(match: MatchItem): string {
  return MESSAGES.match(match.label);
}

/**
 * A whole answer as lines of plain text (no markup): heading or match, the clip's summary, the
 * results, and a note when votes re-ranked them; for other answers, their text.
 *
 * @returns the lines; join with "\n" for one message
 */
export function formatAnswerLines(answer: ChatAnswer): string[] {
  if (answer.kind !== 'results') return [answer.text];
  const lines: string[] = [];
  if (answer.heading) lines.push(answer.heading);
  if (answer.match) lines.push(formatMatch(answer.match));
  if (answer.summary) {
    lines.push(answer.heading ? answer.summary : MESSAGES.clipSummary(answer.summary));
  }
  if (lines.length > 0) lines.push('');
  if (answer.results.length === 0) lines.push(MESSAGES.noResults);
  for (const item of answer.results) lines.push(formatResult(item));
  if (answer.feedbackApplied) lines.push('', MESSAGES.feedbackApplied);
  return lines;
}

/**
 * A whole answer as one plain-text message (see {@link formatAnswerLines}).
 *
 * @returns lines joined by "\n"; never empty
 */
export function formatAnswerText(answer: ChatAnswer): string {
  return formatAnswerLines(answer).join('\n');
}
