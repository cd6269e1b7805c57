/**
 * {@link ChatAnswer} → a Discord message: results as one embed (title "This sounds like …" when
 * the clip is a catalogue track, one field per result, the spectrogram as the embed image) plus
 * one action row per result with 👍 / 👎 / "More like …" buttons, and "🗺 Show on the map" in
 * the last row. Discord allows at most 5 rows of 5 buttons per message, so 5 results × 3 buttons
 * and the map button fit. Other answers become plain text.
 */
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
} from 'discord.js';
import { encodeAction, encodeMapAction } from '../shared/actions.js';
import { MESSAGES } from '../shared/messages.js';
import type { ChatAnswer, PictureAnswer, ResultItem } from '../shared/types.js';

/** Discord's limits that rendering respects (characters / counts). */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  fieldName: 256,
  fieldValue: 1024,
  buttonLabel: 80,
  actionRows: 5,
  buttonsPerRow: 5,
} as const;

/** File name of the spectrogram attachment (the embed refers to `attachment://` + this). */
export const SPECTROGRAM_FILE = 'spectrogram.png';

/** Embed colour (Synesthete violet). */
const COLOUR = 0x7c5cff;

/**
 * A message body usable as `message.reply()`, `channel.send()` and `interaction.editReply()`
 * options. Every key is always present so that an edit replaces a deferred "thinking…" state
 * completely.
 */
export interface DiscordMessageBody {
  readonly content: string;
  readonly embeds: EmbedBuilder[];
  readonly components: ActionRowBuilder<ButtonBuilder>[];
  readonly files: AttachmentBuilder[];
}

/** Cuts text to `max` characters, ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A plain-text message (rejections, busy, acks, errors). */
export function textBody(text: string): DiscordMessageBody {
  return {
    content: truncate(text, DISCORD_LIMITS.content),
    embeds: [],
    components: [],
    files: [],
  };
}

/** The three buttons under one result. */
function resultRow(item: ResultItem): ActionRowBuilder<ButtonBuilder> {
  const name = item.label;
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(encodeAction({ vote: 'up', trackId: item.trackId }))
      .setStyle(ButtonStyle.Secondary)
      .setEmoji('👍')
      .setLabel(`${item.rank}`),
    new ButtonBuilder()
      .setCustomId(encodeAction({ vote: 'down', trackId: item.trackId }))
      .setStyle(ButtonStyle.Secondary)
      .setEmoji('👎')
      .setLabel(`${item.rank}`),
    new ButtonBuilder()
      .setCustomId(encodeAction({ vote: 'more', trackId: item.trackId }))
      .setStyle(ButtonStyle.Primary)
      .setLabel(truncate(`More like ${item.rank}. ${name}`, DISCORD_LIMITS.buttonLabel)),
  );
}

/** One embed field: "1. Title — Artist" / "similarity 0.87 · 120 BPM, same key". */
function resultField(item: ResultItem): { name: string; value: string } {
  return {
    name: truncate(`${item.rank}. ${item.label}`, DISCORD_LIMITS.fieldName),
    value: truncate(
      `similarity ${item.similarity.toFixed(2)} · ${item.reason || 'similar sound'}`,
      DISCORD_LIMITS.fieldValue,
    ),
  };
}

/**
 * Renders a service answer for Discord.
 *
 * @param answer - what the service answered
 * @returns content, at most one embed, at most 5 action rows (3 buttons each) and the
 *   spectrogram PNG when the answer has one
 */
export function renderAnswer(answer: ChatAnswer): DiscordMessageBody {
  if (answer.kind !== 'results') return textBody(answer.text);
  const items = answer.results.slice(0, DISCORD_LIMITS.actionRows);
  const title = answer.match
    ? `This sounds like ${answer.match.label}`
    : (answer.heading ?? 'Tracks that sound like this');
  if (items.length === 0) {
    return textBody(`${title}\nNo other tracks in the catalogue sound close enough yet.`);
  }
  const lines = [answer.summary];
  if (answer.match) lines.push('Five more that sound like it:');
  if (answer.feedbackApplied)
    lines.push('_Re-ranked by the 👍/👎 in this channel (/forget resets)._');
  const embed = new EmbedBuilder()
    .setColor(COLOUR)
    .setTitle(truncate(title, DISCORD_LIMITS.embedTitle))
    .addFields(items.map(resultField))
    .setFooter({ text: '👍/👎 tune the next answers in this channel' });
  // Discord refuses an empty description ("more like this" answers have no clip summary).
  const description = lines.filter(Boolean).join('\n');
  if (description) embed.setDescription(truncate(description, DISCORD_LIMITS.embedDescription));
  const files: AttachmentBuilder[] = [];
  if (answer.spectrogramPng) {
    files.push(
      new AttachmentBuilder(Buffer.from(answer.spectrogramPng), {
        name: SPECTROGRAM_FILE,
        description: 'Log-mel spectrogram of the clip, as the model heard it',
      }),
    );
    embed.setImage(`attachment://${SPECTROGRAM_FILE}`);
  }
  const rows = items.map(resultRow);
  // "🗺 Show on the map" joins the last row (5 rows are Discord's limit; a row takes 5 buttons).
  rows[rows.length - 1]?.addComponents(
    new ButtonBuilder()
      .setCustomId(encodeMapAction(answer.answerId))
      .setStyle(ButtonStyle.Secondary)
      .setLabel(MESSAGES.mapButton),
  );
  return { content: '', embeds: [embed], components: rows, files };
}

/** File name of the map attachment. */
export const MAP_FILE = 'map.png';

/**
 * Renders the map picture: the caption as content and the PNG as an embed's image, or the text
 * saying why there is no map.
 */
export function renderPicture(picture: PictureAnswer): DiscordMessageBody {
  if (picture.kind !== 'picture') return textBody(picture.text);
  const embed = new EmbedBuilder()
    .setColor(COLOUR)
    .setDescription(truncate(picture.caption, DISCORD_LIMITS.embedDescription))
    .setImage(`attachment://${MAP_FILE}`);
  return {
    content: '',
    embeds: [embed],
    components: [],
    files: [
      new AttachmentBuilder(Buffer.from(picture.png), { name: MAP_FILE, description: picture.alt }),
    ],
  };
}
