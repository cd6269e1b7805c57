/**
 * What a clip may be, checked before it is downloaded: bytes per platform, a global byte cap,
 * duration, and the kinds of file that are obviously not audio. Adapters may show these numbers;
 * the chat service enforces them.
 */
import type { Platform } from './types.js';

const MB = 1024 * 1024;

/** Largest clip any platform may hand in, bytes (50 MiB). */
export const GLOBAL_MAX_BYTES = 50 * MB;

/**
 * Largest clip per platform, bytes: what the platform lets a bot download, capped by
 * {@link GLOBAL_MAX_BYTES}.
 *
 * - telegram: 20 MiB, the cloud Bot API's `getFile` limit
 * - slack: 50 MiB (our cap; Slack itself accepts far larger uploads)
 * - discord: 25 MiB, the upload limit of a server without boosts
 * - web: 50 MiB (our cap; the web chat refuses larger bodies)
 */
export const PLATFORM_MAX_BYTES: Readonly<Record<Platform, number>> = {
  telegram: 20 * MB,
  slack: 50 * MB,
  discord: 25 * MB,
  web: 50 * MB,
};

/** Longest clip, seconds (10 minutes): longer ones are answered "too long". */
export const MAX_CLIP_S = 600;

/** Shortest clip, seconds: shorter ones are answered "too short" (announced or decoded). */
export const MIN_CLIP_S = 5;

/**
 * Slack on the decoded minimum, seconds: a "5 s" voice note may decode to 4.9 s, and platforms
 * round announced durations.
 */
export const MIN_CLIP_SLACK_S = 0.6;

/** Byte and duration caps for one platform. */
export interface ClipLimits {
  /** Largest clip, bytes (> 0). */
  readonly maxBytes: number;
  /** Longest clip, seconds (> 0). */
  readonly maxDurationS: number;
  /** Shortest clip, seconds (≥ 0). */
  readonly minDurationS: number;
}

/**
 * The limits for a platform.
 *
 * @param platform - where the clip came from
 * @param overrides - per-field replacements (tests, or an operator's stricter caps); the byte
 *   limit is still capped at {@link GLOBAL_MAX_BYTES}
 * @returns bytes and seconds; never throws
 */
export function clipLimits(platform: Platform, overrides: Partial<ClipLimits> = {}): ClipLimits {
  return {
    maxBytes: Math.min(overrides.maxBytes ?? PLATFORM_MAX_BYTES[platform], GLOBAL_MAX_BYTES),
    maxDurationS: overrides.maxDurationS ?? MAX_CLIP_S,
    minDurationS: overrides.minDurationS ?? MIN_CLIP_S,
  };
}

/**
 * Formats a byte count the way people read file sizes ("20 MB", "1.5 MB", "800 KB").
 *
 * @param bytes - a non-negative byte count
 * @returns binary units (1 MB = 1,048,576 bytes), written as the apps write them
 */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) {
    const mb = bytes / MB;
    return `${mb >= 10 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** MIME types that are never audio, whatever the file is called (besides image/*, text/*, …). */
const NOT_AUDIO_MIME = new Set([
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-tar',
  'application/x-7z-compressed',
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/json',
  'application/xml',
  'application/msword',
  'application/rtf',
  'application/vnd.android.package-archive',
  'application/x-msdownload',
  'application/x-tgsticker',
]);

/** MIME major types that are never audio. `video/*` is allowed: videos have sound. */
const NOT_AUDIO_MAJOR = new Set(['image', 'text', 'font', 'model', 'message', 'multipart']);

/** File extensions that are never audio (checked when the MIME type says nothing useful). */
const NOT_AUDIO_EXTENSIONS = new Set([
  'pdf',
  'txt',
  'md',
  'rtf',
  'doc',
  'docx',
  'odt',
  'xls',
  'xlsx',
  'ods',
  'ppt',
  'pptx',
  'odp',
  'csv',
  'json',
  'xml',
  'html',
  'htm',
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'heic',
  'bmp',
  'tif',
  'tiff',
  'svg',
  'zip',
  'rar',
  '7z',
  'gz',
  'tar',
  'apk',
  'exe',
  'dmg',
  'tgs',
]);

/**
 * True when the announced MIME type or file name shows the file is obviously not audio (a picture,
 * a document, an archive). Unknown or generic types (`application/octet-stream`) and every
 * `audio/*` and `video/*` type pass: ffmpeg decides those after the download.
 *
 * @param mimeType - as the platform announced it, e.g. "image/png" (case-insensitive, parameters ignored)
 * @param fileName - as sent, e.g. "scan.pdf"
 */
export function isObviouslyNotAudio(mimeType?: string, fileName?: string): boolean {
  const mime = mimeType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime) {
    if (mime.startsWith('audio/') || mime.startsWith('video/') || mime === 'application/ogg') {
      return false;
    }
    const major = mime.split('/')[0] ?? '';
    if (NOT_AUDIO_MAJOR.has(major) || NOT_AUDIO_MIME.has(mime)) return true;
    if (/^application\/vnd\.(openxmlformats|ms-|oasis\.)/.test(mime)) return true;
  }
  const ext = /\.([a-z0-9]{1,8})$/i.exec(fileName ?? '')?.[1]?.toLowerCase();
  return ext !== undefined && NOT_AUDIO_EXTENSIONS.has(ext);
}
