/**
 * Discord events → neutral {@link ClipInput}s: which attachment of a message is a clip (a voice
 * message, an audio or video file), what the platform announces about it (size, type, duration,
 * checked by the service before any download), and the download itself, capped in bytes and
 * time.
 */
import { MessageFlags } from 'discord.js';
import { PLATFORM_MAX_BYTES } from '../shared/limits.js';
import { SynestheteError } from '../shared/recommender-port.js';
import type { ClipInput, ClipKind } from '../shared/types.js';

/** File extensions taken as audio when Discord announces no (or a generic) content type. */
export const AUDIO_EXTENSIONS: readonly string[] = [
  '.aac',
  '.aif',
  '.aiff',
  '.amr',
  '.caf',
  '.flac',
  '.m4a',
  '.mka',
  '.mkv',
  '.mov',
  '.mp3',
  '.mp4',
  '.oga',
  '.ogg',
  '.opus',
  '.wav',
  '.weba',
  '.webm',
  '.wma',
];

/**
 * Hard ceiling on one download in bytes, whatever the attachment announced: Discord's limit in
 * bots/shared/limits.ts (25 MiB). The service refuses larger announced sizes before downloading.
 */
export const DEFAULT_MAX_DOWNLOAD_BYTES = PLATFORM_MAX_BYTES.discord;

/** Time allowed for one attachment download, in milliseconds. */
export const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * The fields of a discord.js `Attachment` this file reads (an `Attachment` satisfies it), so the
 * rules can be tested without a client.
 */
export interface AttachmentLike {
  readonly name: string;
  readonly url: string;
  /** Announced size in bytes. */
  readonly size: number;
  readonly contentType?: string | null;
  /** `duration_secs` (voice messages only), seconds. */
  readonly duration?: number | null;
}

/** Who sent a clip where, as the service keys feedback and rate limits. */
export interface ClipContext {
  /** Discord channel id (guild channel, thread or DM). */
  readonly channelId: string;
  /** Discord user id of the sender. */
  readonly userId: string;
  /** True for a voice message (message flag IS_VOICE_MESSAGE, 1 << 13). */
  readonly voiceMessage: boolean;
  /** Download ceiling in bytes; default {@link DEFAULT_MAX_DOWNLOAD_BYTES}. */
  readonly maxDownloadBytes?: number;
}

/** A message as far as clip detection reads it (a discord.js `Message` satisfies it). */
export interface MessageLike {
  readonly channelId: string;
  readonly author: { readonly id: string };
  readonly flags: { has(flag: MessageFlags): boolean };
  readonly attachments: { values(): Iterable<AttachmentLike> };
}

/**
 * The conversation id the service keeps 👍/👎 under: one per Discord channel (threads and DMs are
 * channels too), prefixed so it cannot collide with another platform's ids.
 *
 * @param channelId - Discord channel snowflake
 * @returns e.g. "discord:1300000000000000003"
 */
export function conversationId(channelId: string): string {
  return `discord:${channelId}`;
}

/**
 * The user id the service rate-limits, prefixed like {@link conversationId}.
 *
 * @param userId - Discord user snowflake
 */
export function userKey(userId: string): string {
  return `discord:${userId}`;
}

/** The MIME type without parameters, lower-cased ("audio/ogg; codecs=opus" → "audio/ogg"). */
function baseType(contentType: string | null | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** The file name's extension, lower-cased with its dot ("Song.MP3" → ".mp3"). */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

/**
 * True when an attachment looks like a clip: content type `audio/*` or `video/*`, or an audio
 * or video file extension.
 *
 * @param attachment - a discord.js `Attachment` or the same fields
 */
export function isAudioAttachment(attachment: AttachmentLike): boolean {
  const type = baseType(attachment.contentType);
  if (type?.startsWith('audio/') || type?.startsWith('video/')) return true;
  return AUDIO_EXTENSIONS.includes(extensionOf(attachment.name));
}

/** What Discord called it. */
function kindOf(attachment: AttachmentLike, voiceMessage: boolean): ClipKind {
  if (voiceMessage) return 'voice';
  const type = baseType(attachment.contentType);
  if (type?.startsWith('audio/')) return 'audio';
  if (type?.startsWith('video/')) return 'video';
  return 'document';
}

/**
 * Downloads an attachment from Discord's CDN (attachment URLs are signed and need no token).
 *
 * @param url - the attachment's `url`
 * @param maxBytes - refuse more than this many bytes (by Content-Length first, then counted)
 * @returns the file's bytes
 * @throws SynestheteError `E_INPUT_TOO_LARGE` past `maxBytes`; `E_DECODE` (with `cause`) when the
 *   download fails or times out after {@link DOWNLOAD_TIMEOUT_MS}
 */
export async function downloadAttachment(url: string, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (): SynestheteError =>
    new SynestheteError('E_INPUT_TOO_LARGE', `the file is larger than ${maxBytes} bytes`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new SynestheteError('E_DECODE', 'could not download the attachment', { cause: error });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new SynestheteError('E_DECODE', `attachment download failed (HTTP ${response.status})`);
  }
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (announced > maxBytes) {
    await response.body.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof SynestheteError) throw error;
    throw new SynestheteError('E_DECODE', 'the attachment download broke off', { cause: error });
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Turns one attachment into a clip. Nothing is downloaded until the service calls `read()`
 * (after it has checked the announced size, type and duration).
 *
 * @param attachment - a discord.js `Attachment` (from a message or an interaction's options)
 * @param context - channel, sender and whether it is a voice message
 */
export function clipFromAttachment(attachment: AttachmentLike, context: ClipContext): ClipInput {
  const maxBytes = context.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const mimeType = baseType(attachment.contentType);
  const duration = attachment.duration;
  return {
    platform: 'discord',
    kind: kindOf(attachment, context.voiceMessage),
    conversation: conversationId(context.channelId),
    user: userKey(context.userId),
    fileName: attachment.name,
    byteLength: attachment.size,
    ...(mimeType === undefined ? {} : { mimeType }),
    ...(typeof duration === 'number' && Number.isFinite(duration) ? { durationS: duration } : {}),
    read: () => downloadAttachment(attachment.url, maxBytes),
  };
}

/**
 * The clip in a message: its first audio or video attachment (a voice message is one Ogg/Opus
 * attachment on a message flagged IS_VOICE_MESSAGE).
 *
 * @param message - a discord.js `Message` (needs the Message Content intent in guilds, unless
 *   the bot is mentioned)
 * @param options - `userId`: whose clip it is when not the author (the context-menu command
 *   answers the person who asked); `channelId`: where the answer goes; `maxDownloadBytes`
 * @returns the clip, or undefined when the message has no audio
 */
export function clipFromMessage(
  message: MessageLike,
  options: { userId?: string; channelId?: string; maxDownloadBytes?: number } = {},
): ClipInput | undefined {
  const voiceMessage = message.flags.has(MessageFlags.IsVoiceMessage);
  for (const attachment of message.attachments.values()) {
    if (!voiceMessage && !isAudioAttachment(attachment)) continue;
    return clipFromAttachment(attachment, {
      channelId: options.channelId ?? message.channelId,
      userId: options.userId ?? message.author.id,
      voiceMessage,
      ...(options.maxDownloadBytes === undefined
        ? {}
        : { maxDownloadBytes: options.maxDownloadBytes }),
    });
  }
  return undefined;
}
