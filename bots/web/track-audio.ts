/**
 * Previews: `GET /api/tracks/:id/audio` streams the file a catalogue track was ingested from, with
 * `Range` support so the page's `<audio>` can seek. Only paths the chat service names for a track
 * id are ever opened.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ChatService } from '../shared/types.js';

const AUDIO_TYPES: Readonly<Record<string, string>> = {
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.flac': 'audio/flac',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.webm': 'audio/webm',
  '.aif': 'audio/aiff',
  '.aiff': 'audio/aiff',
};

/**
 * The Content-Type for an audio file name.
 *
 * @param filePath - a path or file name
 * @returns e.g. "audio/ogg"; "application/octet-stream" for an unknown extension
 */
export function audioContentType(filePath: string): string {
  return AUDIO_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** A satisfiable byte range, both ends inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Parses a `Range` header against a file size (a single range; multi-range requests are answered
 * with the whole file, as RFC 9110 allows).
 *
 * @param header - the header value, e.g. "bytes=0-1023", "bytes=500-", "bytes=-500"
 * @param size - the file size in bytes
 * @returns the range, `'unsatisfiable'` (answer 416), or undefined to send the whole file
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Answers a preview request: 200 with the file, 206 with a range, 416 for an unsatisfiable range,
 * 404 when the service knows no file for the id. HEAD gets the headers only.
 *
 * @param service - names the file of a track id
 * @param trackId - the catalogue track id from the URL
 * @param req - the request (method GET or HEAD; `Range` honoured)
 * @param res - the response; always ended (or destroyed if the file fails mid-stream)
 */
export async function serveTrackAudio(
  service: ChatService,
  trackId: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const file = await service.trackAudioPath(trackId);
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('No such track\n');
    return;
  }
  const size = info.size;
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string | number> = {
    'Content-Type': audioContentType(file),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, max-age=3600',
    'Last-Modified': info.mtime.toUTCString(),
  };
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = length;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, { start, end }), res);
}
