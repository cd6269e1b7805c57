/**
 * Slack events → neutral values: which files of a `message` (subtype `file_share`),
 * `app_mention` or `file_shared` event are clips, where the answer goes (channel and thread),
 * and the {@link ClipInput} whose `read()` downloads the file only when the service asks for it
 * (after its size and type checks). Payloads are read defensively: a field Slack leaves out
 * never throws.
 */
import { GLOBAL_MAX_BYTES } from '../shared/limits.js';
import type { ClipInput, ClipKind } from '../shared/types.js';
import type { SlackDownload } from './download.js';

/** The fields of a Slack file object (event or files.info) the adapter reads. */
export interface SlackFile {
  readonly id: string;
  readonly name?: string;
  readonly mimetype?: string;
  readonly filetype?: string;
  /** Bytes. */
  readonly size?: number;
  /** Slack's own subtype: "slack_audio" / "slack_video" for clips recorded in the app. */
  readonly subtype?: string;
  readonly url_private_download?: string;
  readonly url_private?: string;
  readonly duration_ms?: number;
  /** "check_file_info" when the event carries only a stub and files.info has the rest. */
  readonly file_access?: string;
  /** Where the file was shared: `shares.public|private[channel] = [{ ts, thread_ts? }]`. */
  readonly shares?: unknown;
}

/** Where a reply goes and who asked. */
export interface SlackPlace {
  readonly channel: string;
  /** The thread to answer in (the upload's own ts when it was not in a thread). */
  readonly threadTs: string | undefined;
  readonly user: string;
  /** True in a direct message with the bot. */
  readonly direct: boolean;
}

/** Files a user posted, and where. */
export interface SlackUpload extends SlackPlace {
  readonly files: readonly SlackFile[];
}

/** What an `app_mention` asks for. */
export type MentionRequest = 'help' | 'forget' | 'similar' | 'map' | 'other';

/** File types Slack reports for audio (also when the MIME type is generic). */
const AUDIO_FILETYPES = new Set([
  'mp3',
  'mpga',
  'ogg',
  'oga',
  'opus',
  'wav',
  'flac',
  'm4a',
  'aac',
  'aif',
  'aiff',
  'wma',
  'amr',
  'webm',
  'weba',
  'mka',
]);
const VIDEO_FILETYPES = new Set(['mp4', 'mov', 'm4v', 'mkv', 'avi']);
const AUDIO_MIME_EXTRA = new Set(['application/ogg', 'application/x-ogg']);

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Reads a Slack file object.
 *
 * @returns the file, or undefined when it has no id
 */
export function parseSlackFile(value: unknown): SlackFile | undefined {
  const raw = record(value);
  const id = text(raw?.id);
  if (!raw || !id) return undefined;
  const pick = <K extends keyof SlackFile>(
    key: K,
    read: (v: unknown) => SlackFile[K] | undefined,
  ) => {
    const v = read(raw[key]);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    id,
    ...pick('name', text),
    ...pick('mimetype', text),
    ...pick('filetype', text),
    ...pick('size', count),
    ...pick('subtype', text),
    ...pick('url_private_download', text),
    ...pick('url_private', text),
    ...pick('duration_ms', count),
    ...pick('file_access', text),
    ...(raw.shares === undefined ? {} : { shares: raw.shares }),
  } as SlackFile;
}

/** True when an event's file object is only a stub and files.info must be asked. */
export function needsFileInfo(file: SlackFile): boolean {
  return (
    file.file_access === 'check_file_info' ||
    (file.url_private_download === undefined && file.url_private === undefined) ||
    (file.mimetype === undefined && file.filetype === undefined)
  );
}

/**
 * What kind of clip a file is, judged from what Slack announces (nothing is downloaded).
 *
 * @returns "voice" for a clip recorded in Slack, "audio", "video", or "document" for anything
 *   that is not audio
 */
export function slackFileKind(file: SlackFile): ClipKind {
  const mime = file.mimetype?.toLowerCase() ?? '';
  const type = file.filetype?.toLowerCase() ?? '';
  if (file.subtype === 'slack_audio') return 'voice';
  if (file.subtype === 'slack_video') return 'video';
  if (mime.startsWith('audio/') || AUDIO_MIME_EXTRA.has(mime)) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  if ((mime === '' || mime === 'application/octet-stream') && AUDIO_FILETYPES.has(type)) {
    return 'audio';
  }
  if ((mime === '' || mime === 'application/octet-stream') && VIDEO_FILETYPES.has(type)) {
    return 'video';
  }
  return 'document';
}

/** True when a file may hold audio we can analyse. */
export function isAudioLike(file: SlackFile): boolean {
  return slackFileKind(file) !== 'document';
}

/**
 * The upload in a `message` or `app_mention` event.
 *
 * @returns the files and where to answer, or undefined when the event carries no files, comes
 *   from a bot, or is an edit/deletion
 */
export function parseUpload(event: unknown): SlackUpload | undefined {
  const raw = record(event);
  if (!raw) return undefined;
  const subtype = text(raw.subtype);
  if (subtype !== undefined && subtype !== 'file_share' && subtype !== 'thread_broadcast') {
    return undefined;
  }
  if (raw.bot_id !== undefined || raw.bot_profile !== undefined) return undefined;
  const channel = text(raw.channel);
  const user = text(raw.user);
  const files = Array.isArray(raw.files)
    ? raw.files.map(parseSlackFile).filter((f): f is SlackFile => f !== undefined)
    : [];
  if (!channel || !user || files.length === 0) return undefined;
  return {
    channel,
    user,
    threadTs: text(raw.thread_ts) ?? text(raw.ts),
    direct: raw.channel_type === 'im' || channel.startsWith('D'),
    files,
  };
}

/**
 * The thread a file was shared in, from files.info's `shares`, for `file_shared` events
 * (which carry no message ts).
 *
 * @returns the thread ts (the share's `thread_ts`, else its `ts`), or undefined when unknown
 */
export function sharedThreadTs(file: SlackFile, channel: string): string | undefined {
  const shares = record(file.shares);
  for (const scope of ['public', 'private']) {
    const list = record(shares?.[scope])?.[channel];
    const first = Array.isArray(list) ? record(list[0]) : undefined;
    const ts = text(first?.thread_ts) ?? text(first?.ts);
    if (ts) return ts;
  }
  return undefined;
}

/**
 * What a mention of the bot asks for ("@synesthete help", "@synesthete forget", "@synesthete map",
 * and in a clip's thread "@synesthete similar").
 *
 * @param mentionText - the event's text, with `<@U…>` mentions in it
 */
export function parseMention(mentionText: string): MentionRequest {
  const words = mentionText
    .replace(/<@[^>]+>/g, ' ')
    .trim()
    .toLowerCase()
    .split(/\s+/);
  const word = words[0]?.replace(/^\//, '') ?? '';
  if (word === 'forget' || word === 'reset') return 'forget';
  if (word === 'similar' || word === 'again') return 'similar';
  if (word === 'map') return 'map';
  if (word === 'help' || word === '' || word === '?') return 'help';
  return 'other';
}

/**
 * The neutral clip for one Slack file. Nothing is downloaded until `read()` is called.
 *
 * @param file - a complete file object (after files.info when the event had a stub)
 * @param conversation - the conversation id votes are kept under (the channel id)
 * @param user - Slack user id of the sender
 * @param download - the authenticated downloader
 */
export function fileToClip(
  file: SlackFile,
  conversation: string,
  user: string,
  download: SlackDownload,
): ClipInput {
  const url = file.url_private_download ?? file.url_private;
  // Never read more than Slack announced, nor more than any clip may be.
  const maxBytes = Math.min(file.size ?? GLOBAL_MAX_BYTES, GLOBAL_MAX_BYTES);
  return {
    platform: 'slack',
    kind: slackFileKind(file),
    conversation,
    user,
    ...(file.name === undefined ? {} : { fileName: file.name }),
    ...(file.mimetype === undefined ? {} : { mimeType: file.mimetype }),
    ...(file.size === undefined ? {} : { byteLength: file.size }),
    ...(file.duration_ms === undefined ? {} : { durationS: file.duration_ms / 1000 }),
    read() {
      if (url === undefined) return Promise.reject(new Error('Slack gave no download URL'));
      return download(url, maxBytes);
    },
  };
}
