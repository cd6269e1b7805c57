/**
 * Telegram message → neutral {@link ClipInput}: finds the audio a message carries (voice note,
 * audio file, round video note, video, or a document that is audio or video), takes the size,
 * duration and type Telegram announces for the checks made before any download, and defers the
 * download itself to `read()`.
 */
import type { Message } from 'grammy/types';
import type { ClipInput, ClipKind } from '../shared/types.js';

/** The file a message carries, as Telegram announced it. */
export interface TelegramAttachment {
  readonly kind: ClipKind;
  /** Telegram's `file_id` (what getFile takes). */
  readonly fileId: string;
  readonly fileName?: string;
  readonly mimeType?: string;
  /** Announced size in bytes. */
  readonly byteLength?: number;
  /** Announced duration in seconds (absent when Telegram did not know it). */
  readonly durationS?: number;
}

/** File name extensions taken as audio when a document comes without a useful MIME type. */
const AUDIO_EXTENSIONS = new Set([
  'mp3',
  'ogg',
  'oga',
  'opus',
  'wav',
  'flac',
  'm4a',
  'aac',
  'wma',
  'aif',
  'aiff',
  'mka',
  'weba',
  'webm',
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'amr',
  '3gp',
]);

/**
 * Finds the audio a message carries.
 *
 * @param message - a Telegram message (or the message a /similar command replies to)
 * @returns the attachment, or undefined when the message carries nothing that could be audio
 *   (text, sticker, photo, a PDF…)
 */
export function findAttachment(message: Message): TelegramAttachment | undefined {
  if (message.voice) {
    const v = message.voice;
    return attachment(
      'voice',
      v.file_id,
      'voice.ogg',
      v.mime_type ?? 'audio/ogg',
      v.file_size,
      v.duration,
    );
  }
  if (message.audio) {
    const a = message.audio;
    return attachment('audio', a.file_id, a.file_name, a.mime_type, a.file_size, a.duration);
  }
  if (message.video_note) {
    const v = message.video_note;
    return attachment('video', v.file_id, 'video-note.mp4', 'video/mp4', v.file_size, v.duration);
  }
  if (message.video) {
    const v = message.video;
    return attachment('video', v.file_id, v.file_name, v.mime_type, v.file_size, v.duration);
  }
  if (message.document && isAudioDocument(message.document.mime_type, message.document.file_name)) {
    const d = message.document;
    return attachment('document', d.file_id, d.file_name, d.mime_type, d.file_size, undefined);
  }
  return undefined;
}

/**
 * Whether a document is worth downloading as audio: an audio or video MIME type, or an audio
 * file name extension (Telegram often announces `application/octet-stream`).
 */
export function isAudioDocument(
  mimeType: string | undefined,
  fileName: string | undefined,
): boolean {
  const mime = mimeType?.toLowerCase() ?? '';
  if (mime.startsWith('audio/') || mime.startsWith('video/') || mime === 'application/ogg') {
    return true;
  }
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  return ext !== undefined && AUDIO_EXTENSIONS.has(ext);
}

/**
 * Builds the neutral input for a message's attachment.
 *
 * @param found - what {@link findAttachment} returned
 * @param where - `conversation` and `user` ids (see {@link conversationId} and {@link userId})
 * @param read - downloads the file (see download.ts); called only after the service's checks
 */
export function toClipInput(
  found: TelegramAttachment,
  where: { readonly conversation: string; readonly user: string },
  read: () => Promise<Uint8Array>,
): ClipInput {
  return {
    platform: 'telegram',
    kind: found.kind,
    conversation: where.conversation,
    user: where.user,
    ...(found.fileName !== undefined ? { fileName: found.fileName } : {}),
    ...(found.mimeType !== undefined ? { mimeType: found.mimeType } : {}),
    ...(found.byteLength !== undefined ? { byteLength: found.byteLength } : {}),
    ...(found.durationS !== undefined ? { durationS: found.durationS } : {}),
    read,
  };
}

/**
 * The conversation id votes are kept under: `telegram:<chat id>` (a private chat, a group, or a
 * forum topic as `telegram:<chat id>:<thread id>`), unique across platforms.
 */
export function conversationId(chatId: number, threadId?: number): string {
  return threadId === undefined ? `telegram:${chatId}` : `telegram:${chatId}:${threadId}`;
}

/** The user id the rate limit is kept under: `telegram:<user id>`. */
export function userId(id: number): string {
  return `telegram:${id}`;
}

/** The forum topic a message belongs to, when it is in one. */
export function topicOf(message: Message): number | undefined {
  return message.is_topic_message ? message.message_thread_id : undefined;
}

function attachment(
  kind: ClipKind,
  fileId: string,
  fileName: string | undefined,
  mimeType: string | undefined,
  byteLength: number | undefined,
  durationS: number | undefined,
): TelegramAttachment {
  return {
    kind,
    fileId,
    ...(fileName ? { fileName } : {}),
    ...(mimeType ? { mimeType } : {}),
    ...(byteLength !== undefined ? { byteLength } : {}),
    // Telegram says 0 when it could not tell; leave that to the decoder.
    ...(durationS ? { durationS } : {}),
  };
}
