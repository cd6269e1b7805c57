/**
 * The web chat's HTTP routes (node:http, no framework):
 *
 *   GET  /                                   the page (sets the session cookie)
 *   GET  /app.js, /style.css, /favicon.svg   its static files
 *   POST /api/clip                           raw audio body → the answer as JSON
 *   POST /api/vote      {trackId, vote}      → ack, or "more like this" results
 *   POST /api/forget                         → {kind: 'ack', text}
 *   GET  /api/help                           → {kind: 'help', text}
 *   GET  /api/map[?answer=<answerId>]        the catalogue map's points, that answer (else the
 *                                            session's last) marked
 *   GET  /api/tracks/:id/audio               the catalogue file (Range supported)
 *   GET  /api/answers/:answerId/spectrogram.png
 *
 * POSTs must be same-origin; a server bound to loopback answers only loopback host names.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ChatService, ClipKind, MapViewAnswer, Vote } from '../shared/types.js';
import { toWebAnswer, type WebAnswer } from './answer-json.js';
import { discardBody, readCappedBody } from './body.js';
import { hostAllowed, sameOrigin } from './origin.js';
import { ensureSession, readSession } from './session.js';
import { memorySpectrogramStore, type SpectrogramStore } from './spectrogram-cache.js';
import type { StaticFile } from './static-files.js';
import { serveTrackAudio } from './track-audio.js';

/** What the request handler needs besides the service. */
export interface WebServerConfig {
  /** The page and its files, by URL path (see static-files.ts). */
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Largest clip body accepted, in bytes. */
  readonly maxUploadBytes: number;
  /** Pictures kept for `/api/answers/:id/spectrogram.png` (in memory, unless `pictures`). */
  readonly spectrogramCacheSize: number;
  /** Where the pictures live instead, e.g. Redis shared by several instances. */
  readonly pictures?: SpectrogramStore | undefined;
  /** True when bound to loopback: only loopback `Host` names are answered. */
  readonly loopbackOnly: boolean;
  /** Where unexpected failures are logged. */
  readonly log: (message: string, error?: unknown) => void;
}

/** The page's Content-Security-Policy: only its own scripts, styles, media and API. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Largest JSON body of a vote, in bytes. */
const MAX_JSON_BYTES = 4096;

const CLIP_KINDS: readonly ClipKind[] = ['voice', 'audio', 'document', 'video'];
const VOTES: readonly Vote[] = ['up', 'down', 'more'];

/**
 * Builds the request handler.
 *
 * @param service - the chat service every route talks to
 * @param config - files, caps and logging
 * @returns a `node:http` request listener; it never throws (failures answer 500 and are logged)
 */
export function createWebHandler(service: ChatService, config: WebServerConfig): RequestListener {
  const spectrograms = config.pictures ?? memorySpectrogramStore(config.spectrogramCacheSize);

  const hasAudio = async (trackId: number): Promise<boolean> =>
    (await service.trackAudioPath(trackId)) !== undefined;

  const answerJson = async (
    res: ServerResponse,
    session: string,
    answer: Awaited<ReturnType<ChatService['handleClip']>>,
  ): Promise<void> => {
    let stored = false;
    if (answer.kind === 'results' && answer.spectrogramPng) {
      await spectrograms.put(answer.answerId, session, answer.spectrogramPng);
      stored = true;
    }
    sendJson(res, 200, await toWebAnswer(answer, hasAudio, stored));
  };

  const routes = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const pathname = url.pathname;

    const file = config.files.get(pathname);
    if (file) {
      if (!allow(req, res, ['GET', 'HEAD'])) return;
      if (pathname === '/') ensureSession(req, res);
      res.writeHead(200, {
        'Content-Type': file.contentType,
        'Content-Length': file.body.byteLength,
        'Cache-Control': 'no-cache',
      });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }

    if (pathname === '/api/clip') {
      if (!allow(req, res, ['POST']) || !checkOrigin(req, res)) return;
      const session = ensureSession(req, res);
      const body = await readCappedBody(req, config.maxUploadBytes);
      if (!body.ok) {
        if (body.reason === 'aborted') {
          res.destroy();
          return;
        }
        const mib = Math.floor(config.maxUploadBytes / (1024 * 1024));
        sendJson(
          res,
          413,
          {
            kind: 'rejected',
            reason: 'too-big',
            text: `That file is too big for me — please send at most ${mib > 0 ? `${mib} MB` : `${config.maxUploadBytes} bytes`}, a 10–30 second clip is plenty.`,
          },
          { Connection: 'close' },
        );
        discardBody(req, config.maxUploadBytes);
        return;
      }
      const bytes = body.bytes;
      const fileName = headerFileName(req.headers['x-file-name']);
      const mimeType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      const kindHeader = String(req.headers['x-clip-kind'] ?? '');
      const kind = CLIP_KINDS.includes(kindHeader as ClipKind) ? (kindHeader as ClipKind) : 'audio';
      const answer = await service.handleClip({
        platform: 'web',
        kind,
        conversation: session,
        user: session,
        byteLength: bytes.byteLength,
        ...(fileName ? { fileName } : {}),
        ...(mimeType ? { mimeType } : {}),
        read: async () => bytes,
      });
      await answerJson(res, session, answer);
      return;
    }

    if (pathname === '/api/vote') {
      if (!allow(req, res, ['POST']) || !checkOrigin(req, res)) return;
      const session = ensureSession(req, res);
      const body = await readJsonBody(req, res);
      if (!body) return;
      const parsed = parseVote(body);
      if (!parsed) {
        sendJson(res, 400, {
          error: 'expected {"trackId": <positive integer>, "vote": "up"|"down"|"more"}',
        });
        return;
      }
      await answerJson(
        res,
        session,
        await service.vote(session, session, parsed.trackId, parsed.vote),
      );
      return;
    }

    if (pathname === '/api/mix') {
      if (!allow(req, res, ['POST']) || !checkOrigin(req, res)) return;
      const session = ensureSession(req, res);
      const body = await readJsonBody(req, res);
      if (!body) return;
      // {"add": <trackId>} picks a result for the mix; an empty body asks for the mix.
      const add = parseMixAdd(body);
      if (add === null) {
        sendJson(res, 400, { error: 'expected {} or {"add": <positive integer>}' });
        return;
      }
      const answer =
        add === undefined ? await service.mix?.(session) : await service.addToMix?.(session, add);
      await answerJson(res, session, answer ?? { kind: 'error', text: 'mixing is not available' });
      return;
    }

    if (pathname === '/api/forget') {
      if (!allow(req, res, ['POST']) || !checkOrigin(req, res)) return;
      const session = ensureSession(req, res);
      req.resume();
      sendJson(res, 200, { kind: 'ack', text: await service.forget(session) });
      return;
    }

    if (pathname === '/api/map') {
      if (!allow(req, res, ['GET'])) return;
      const session = ensureSession(req, res);
      const answerId = url.searchParams.get('answer') ?? undefined;
      const view: MapViewAnswer = service.mapView
        ? await service.mapView(session, answerId?.slice(0, 100))
        : { kind: 'ack', text: "I can't draw the catalogue map here." };
      sendJson(res, 200, view);
      return;
    }

    if (pathname === '/api/help') {
      if (!allow(req, res, ['GET'])) return;
      sendJson(res, 200, { kind: 'help', text: service.helpText('web') });
      return;
    }

    const track = /^\/api\/tracks\/(\d{1,12})\/audio$/.exec(pathname);
    if (track) {
      if (!allow(req, res, ['GET', 'HEAD'])) return;
      await serveTrackAudio(service, Number(track[1]), req, res);
      return;
    }

    const picture = /^\/api\/answers\/([^/]{1,200})\/spectrogram\.png$/.exec(pathname);
    if (picture) {
      if (!allow(req, res, ['GET', 'HEAD'])) return;
      let answerId: string;
      try {
        answerId = decodeURIComponent(picture[1] ?? '');
      } catch {
        answerId = '';
      }
      const png = await spectrograms.get(answerId, readSession(req));
      if (!png) {
        notFound(res);
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'image/png',
        'Content-Length': png.byteLength,
        'Cache-Control': 'private, max-age=3600',
      });
      res.end(method === 'HEAD' ? undefined : png);
      return;
    }

    notFound(res);
  };

  return (req, res) => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (!hostAllowed(req, config.loopbackOnly)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('This chat answers only on localhost.\n');
      req.resume();
      return;
    }
    routes(req, res).catch((error: unknown) => {
      config.log(`web chat: ${req.method} ${req.url} failed`, error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, {
        kind: 'error',
        text: 'Sorry — something went wrong on my side. Please try again.',
      });
    });
  };
}

/** Sends a JSON body with no-store caching. */
/**
 * A JSON request's body, at most `MAX_JSON_BYTES`; a larger one is answered 413 (and the rest of
 * it discarded) and gives undefined.
 */
async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Uint8Array | undefined> {
  const body = await readCappedBody(req, MAX_JSON_BYTES);
  if (body.ok) return body.bytes;
  sendJson(res, 413, { error: 'body too large' }, { Connection: 'close' });
  discardBody(req, MAX_JSON_BYTES);
  return undefined;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: WebAnswer | MapViewAnswer | { readonly error: string },
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
}

/** Answers 405 unless the method is one of `methods`. */
function allow(req: IncomingMessage, res: ServerResponse, methods: readonly string[]): boolean {
  if (methods.includes(req.method ?? '')) return true;
  res.writeHead(405, { Allow: methods.join(', '), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Method not allowed\n');
  req.resume();
  return false;
}

/** Answers 403 unless the request is same-origin. */
function checkOrigin(req: IncomingMessage, res: ServerResponse): boolean {
  if (sameOrigin(req)) return true;
  sendJson(res, 403, { error: 'cross-origin requests are not accepted' }, { Connection: 'close' });
  req.resume();
  return false;
}

/** The `X-File-Name` header (URI-encoded by the page), reduced to a plain base name. */
function headerFileName(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  let name: string;
  try {
    name = decodeURIComponent(value);
  } catch {
    name = value;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it strips
  name = name.replace(/[\u0000-\u001f\u007f]/g, '');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).trim();
  return name === '' ? undefined : name.slice(0, 200);
}

/** Parses `{trackId, vote}`; undefined when malformed. */
function parseVote(bytes: Uint8Array): { trackId: number; vote: Vote } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { trackId, vote } = value as { trackId?: unknown; vote?: unknown };
  if (typeof trackId !== 'number' || !Number.isSafeInteger(trackId) || trackId <= 0)
    return undefined;
  if (typeof vote !== 'string' || !VOTES.includes(vote as Vote)) return undefined;
  return { trackId, vote: vote as Vote };
}

/**
 * The body of `POST /api/mix`: empty or `{}` (answer the mix: undefined), `{"add": id}` (the track
 * id), anything else null.
 */
function parseMixAdd(bytes: Uint8Array): number | undefined | null {
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '') return undefined;
  try {
    const value = JSON.parse(text) as { add?: unknown };
    if (typeof value !== 'object' || value === null) return null;
    if (value.add === undefined) return undefined;
    return Number.isInteger(value.add) && (value.add as number) > 0 ? (value.add as number) : null;
  } catch {
    return null;
  }
}
