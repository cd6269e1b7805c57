/**
 * The one-line errors of a decode, worded the same whichever decoder ran, each saying what the
 * sender can do next. The decoder's own output is kept as the error's `cause` (for logs).
 *
 * @module
 */
import path from 'node:path';
import { SynestheteError } from '../util/errors.js';

/**
 * A file name fit for a one-line message: base name only, control characters removed, ≤ 80 chars.
 *
 * @param input - a path, or bytes
 * @param name - the name given for bytes
 * @returns the name, or "the input"
 */
export function displayName(input: string | Uint8Array, name: string | undefined): string {
  const raw = typeof input === 'string' ? path.basename(input) : name ? path.basename(name) : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 80);
  return clean.length > 0 ? clean : 'the input';
}

/**
 * Seconds for a person: "350 ms", "12.5 s", "3 min 5 s", "2 h 10 min".
 *
 * @param s - seconds (≥ 0)
 */
export function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Number(s.toFixed(1))} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`.replace(/ 0 s$/, '');
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * Bytes for a person: "512 bytes", "3.5 KiB", "12 MiB".
 *
 * @param n - bytes (≥ 0)
 */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n} bytes`;
}

/**
 * `E_DECODE`: the input is not audio that can be read.
 *
 * @param name - display name
 * @param why - the reason, a few words ("not an audio file or corrupt")
 * @param log - the decoder's output, kept as the cause
 */
export function unreadable(name: string, why: string, log: string): SynestheteError {
  return new SynestheteError('E_DECODE', `could not read audio from ${name}: ${why}`, {
    cause: new Error(log.trim() || 'no decoder output'),
  });
}

/**
 * `E_DECODE`: data is missing or damaged.
 *
 * @param name - display name
 * @param detail - what showed it (kept in the cause)
 * @param log - the decoder's output, kept in the cause
 */
export function truncated(name: string, detail: string, log: string): SynestheteError {
  return new SynestheteError(
    'E_DECODE',
    `could not read audio from ${name}: truncated or corrupt; send the complete file again`,
    { cause: new Error(log.trim() ? `${detail}\n${log.trim()}` : detail) },
  );
}

/**
 * `E_DECODE`: the container's header claims far more audio than the file can hold.
 *
 * @param name - display name
 * @param claimedS - the duration the header claims, seconds
 * @param size - the file's size, bytes
 */
export function corruptHeader(name: string, claimedS: number, size: number): SynestheteError {
  return new SynestheteError(
    'E_DECODE',
    `could not read audio from ${name}: its header is corrupt (it claims ${formatSeconds(claimedS)} in ${formatBytes(size)}); export or convert the file again`,
  );
}

/**
 * `E_DECODE`: a picture, not a recording.
 *
 * @param name - display name
 * @param format - the demuxer's name ("png_pipe")
 */
export function notAudioImage(name: string, format: string): SynestheteError {
  const kind = format.replace(/_pipe$/, '').replace(/^image2$/, 'image');
  return new SynestheteError(
    'E_DECODE',
    `could not read audio from ${name}: it is a picture (${kind}), not a recording; send an audio file or a video with sound`,
  );
}

/**
 * `E_INPUT_DURATION`: longer than the cap.
 *
 * @param name - display name
 * @param durationS - the source's duration, seconds
 * @param maxS - the cap, seconds
 */
export function tooLong(name: string, durationS: number, maxS: number): SynestheteError {
  return new SynestheteError(
    'E_INPUT_DURATION',
    `${name} is too long (${formatSeconds(durationS)}); the limit is ${formatSeconds(maxS)}`,
  );
}

/**
 * `E_INPUT_DURATION`: less audio than the minimum.
 *
 * @param name - display name
 * @param gotS - decoded seconds
 * @param minS - the minimum, seconds
 */
export function tooShort(name: string, gotS: number, minS: number): SynestheteError {
  return new SynestheteError(
    'E_INPUT_DURATION',
    `${name} is too short (${gotS.toFixed(1)} s); send at least ${formatSeconds(minS)} of audio`,
  );
}

/**
 * `E_INPUT_DURATION`: an excerpt asked for past the end.
 *
 * @param name - display name
 * @param durationS - the source's duration, seconds
 * @param startS - where the excerpt was to start, seconds
 */
export function startsPastEnd(name: string, durationS: number, startS: number): SynestheteError {
  return new SynestheteError(
    'E_INPUT_DURATION',
    `${name} is too short (${formatSeconds(durationS)}) for an excerpt from ${formatSeconds(startS)}`,
  );
}
