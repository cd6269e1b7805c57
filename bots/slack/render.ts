/**
 * {@link ChatAnswer} → Slack message: Block Kit for results (a section per result with rank,
 * "Title — Artist", confidence, similarity and the reason, and under it an actions block with
 * 👍 / 👎 / "More like this" buttons whose `action_id` and `value` are {@link encodeAction}
 * payloads, and last a "🗺 Show on the map" button), plain mrkdwn text for everything else. The `text` is always the whole answer in
 * plain words (notifications, screen readers, clients without blocks).
 */
import type { types } from '@slack/bolt';
import { encodeAction, encodeMapAction } from '../shared/actions.js';
import { MESSAGES } from '../shared/messages.js';
import { formatAnswerText, formatPercent } from '../shared/render-text.js';
import type { ChatAnswer, ResultItem, Vote } from '../shared/types.js';

type KnownBlock = types.KnownBlock;

/** A message as chat.postMessage / chat.update take it. */
export interface SlackMessage {
  /** Fallback and notification text (mrkdwn-escaped). */
  readonly text: string;
  /** Block Kit blocks; empty for a text-only answer. */
  readonly blocks: KnownBlock[];
}

/** `action_id` of the "🗺 Show on the map" button (its `value` names the answer). */
export const MAP_ACTION_ID = 'map';

/** The message posted at once and replaced by the answer. */
export const LISTENING_TEXT = '🎧 Listening…';

/** Slack's caps: section text 3,000 characters, header 150, button text 75. */
const MAX_SECTION = 3000;
const MAX_HEADER = 150;

const BUTTONS: readonly { vote: Vote; text: string }[] = [
  { vote: 'up', text: '👍' },
  { vote: 'down', text: '👎' },
  { vote: 'more', text: '🔁 More like this' },
];

/**
 * Escapes text for Slack mrkdwn (`&`, `<`, `>`), so titles cannot inject links or mentions.
 *
 * @param text - plain text
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function resultBlocks(item: ResultItem): KnownBlock[] {
  const similarity = item.similarity.toFixed(2);
  const lines = [
    `*${item.rank}. ${escapeMrkdwn(item.label)}*`,
    `${formatPercent(item.confidence)} match · similarity ${similarity}`,
  ];
  if (item.reason) lines.push(`_${escapeMrkdwn(item.reason)}_`);
  return [
    {
      type: 'section',
      block_id: `result-${item.rank}`,
      text: { type: 'mrkdwn', text: clip(lines.join('\n'), MAX_SECTION) },
    },
    {
      type: 'actions',
      block_id: `actions-${item.rank}`,
      elements: BUTTONS.map(({ vote, text }) => {
        const payload = encodeAction({ vote, trackId: item.trackId });
        return {
          type: 'button' as const,
          action_id: payload,
          value: payload,
          text: { type: 'plain_text' as const, text, emoji: true },
        };
      }),
    },
  ];
}

/**
 * Renders an answer for Slack.
 *
 * @param answer - what the chat service answered
 * @returns text and blocks; never throws
 */
export function renderAnswer(answer: ChatAnswer): SlackMessage {
  const text = clip(escapeMrkdwn(formatAnswerText(answer)), 3 * MAX_SECTION);
  if (answer.kind !== 'results') return { text, blocks: [] };
  const blocks: KnownBlock[] = [];
  if (answer.heading) {
    blocks.push({
      type: 'header',
      text: { type: 'plain_text', text: clip(answer.heading, MAX_HEADER), emoji: true },
    });
  }
  if (answer.match) {
    blocks.push({
      type: 'section',
      block_id: 'match',
      text: { type: 'mrkdwn', text: escapeMrkdwn(MESSAGES.match(answer.match.label)) },
    });
  }
  if (answer.summary) {
    const summary = answer.heading ? answer.summary : MESSAGES.clipSummary(answer.summary);
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: escapeMrkdwn(summary) }],
    });
  }
  if (blocks.length > 0) blocks.push({ type: 'divider' });
  if (answer.results.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: MESSAGES.noResults } });
  }
  for (const item of answer.results) blocks.push(...resultBlocks(item));
  if (answer.results.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'map',
      elements: [
        {
          type: 'button',
          action_id: MAP_ACTION_ID,
          value: encodeMapAction(answer.answerId),
          text: { type: 'plain_text', text: MESSAGES.mapButton, emoji: true },
        },
      ],
    });
  }
  if (answer.feedbackApplied) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: escapeMrkdwn(MESSAGES.feedbackApplied) }],
    });
  }
  return { text, blocks };
}
