/**
 * The local web chat: the shared chat contract driven over HTTP with fetch (as the page does),
 * then what only the web chat has — the upload cap, same-origin POSTs, loopback host names,
 * previews with Range, the spectrogram URL, the session cookie and the page's security headers.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatAnswer, ChatService, ClipInput, Vote } from '../../bots/shared/types.js';
import type { WebAnswer } from '../../bots/web/answer-json.js';
import { type RunningWebChat, startWebChat, webOptionsFromEnv } from '../../bots/web/index.js';
import { parseRange } from '../../bots/web/track-audio.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';
import { type AdapterHarness, adapterContract, type ObservedReply } from './contract.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/** A fetch client for the web chat that keeps its session cookie, as a browser tab would. */
class WebClient {
  cookie = '';

  constructor(readonly base: string) {}

  get origin(): string {
    return new URL(this.base).origin;
  }

  async fetch(route: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('Cookie', this.cookie);
    if (init.method === 'POST' && !headers.has('Origin')) headers.set('Origin', this.origin);
    const response = await fetch(new URL(route, this.base), { ...init, headers });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    return response;
  }

  async json(route: string, init: RequestInit = {}): Promise<WebAnswer> {
    const response = await this.fetch(route, init);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return (await response.json()) as WebAnswer;
  }

  /** Reads what a person would see of an answer, as the contract wants it. */
  async observe(answer: WebAnswer): Promise<ObservedReply> {
    if (answer.kind !== 'results') return { text: answer.text, resultTrackIds: [], image: false };
    const lines = [
      answer.match ? `This sounds like ${answer.match.label}` : '',
      answer.heading ?? '',
      answer.summary,
      ...answer.results.map((r) => `${r.rank}. ${r.label} (${r.reason})`),
    ];
    let image = false;
    if (answer.spectrogramUrl) {
      const png = await this.fetch(answer.spectrogramUrl);
      const bytes = new Uint8Array(await png.arrayBuffer());
      image =
        png.status === 200 &&
        png.headers.get('content-type') === 'image/png' &&
        PNG_SIGNATURE.every((b, i) => bytes[i] === b);
    }
    return {
      text: lines.filter(Boolean).join('\n'),
      resultTrackIds: answer.results.map((r) => r.trackId),
      image,
    };
  }
}

adapterContract('web chat', async (service) => {
  const web = await startWebChat(service, { port: 0, log: () => undefined });
  const client = new WebClient(web.url);
  const page = await client.fetch('/');
  expect(page.status).toBe(200);
  expect(client.cookie).not.toBe('');
  const harness: AdapterHarness = {
    platform: 'web',
    showsImages: true,
    async sendClip(filePath, options = {}) {
      const bytes = await readFile(filePath);
      const answer = await client.json('/api/clip', {
        method: 'POST',
        body: bytes,
        headers: {
          'Content-Type': options.mimeType ?? 'audio/ogg',
          'X-File-Name': encodeURIComponent(options.fileName ?? 'voice.ogg'),
          'X-Clip-Kind': options.kind ?? 'voice',
        },
      });
      return client.observe(answer);
    },
    async press(trackId: number, vote: Vote) {
      const answer = await client.json('/api/vote', {
        method: 'POST',
        body: JSON.stringify({ trackId, vote }),
        headers: { 'Content-Type': 'application/json' },
      });
      return client.observe(answer);
    },
    async command(name) {
      const answer =
        name === 'help'
          ? await client.json('/api/help')
          : await client.json('/api/forget', { method: 'POST' });
      return client.observe(answer);
    },
    close: () => web.stop(),
  };
  return harness;
});

/** A chat service that records its calls and answers canned results; no engine. */
function recordingService(): ChatService & { clips: ClipInput[]; votes: unknown[] } {
  const clips: ClipInput[] = [];
  const votes: unknown[] = [];
  const png = Uint8Array.from([...PNG_SIGNATURE, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  let answers = 0;
  const results = (): ChatAnswer => ({
    kind: 'results',
    answerId: `a${++answers}`,
    summary: '120 BPM · A minor · bright',
    feedbackApplied: false,
    spectrogramPng: png,
    results: [1, 2, 3, 4, 5].map((trackId, i) => ({
      rank: i + 1,
      trackId,
      label: `Track ${trackId} — Artist`,
      title: `Track ${trackId}`,
      artist: 'Artist',
      similarity: 0.9 - i * 0.1,
      confidence: 0.5,
      reason: 'similar tempo',
    })),
  });
  return {
    clips,
    votes,
    async handleClip(input) {
      clips.push(input);
      await input.read();
      return results();
    },
    async vote(conversation, user, trackId, vote) {
      votes.push({ conversation, user, trackId, vote });
      return { kind: 'ack', text: 'Noted.' };
    },
    async forget() {
      return 'Forgotten.';
    },
    helpText: () => 'Send me a voice note. /forget clears your votes.',
    async trackAudioPath(trackId) {
      return trackId === 1 ? demoTrack('metal_rock__Metal_madness.ogg') : undefined;
    },
    claimOnce: async () => true,
    async drain() {},
  };
}

/** One raw HTTP request (for headers fetch will not let a caller set, and streamed bodies). */
function rawRequest(
  url: string,
  options: http.RequestOptions & { body?: (req: http.ClientRequest) => void },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => {
        body += s;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (options.body) options.body(req);
    else req.end();
  });
}

describe('web chat: HTTP specifics', () => {
  const CAP = 64 * 1024;
  let service: ReturnType<typeof recordingService>;
  let web: RunningWebChat;
  let client: WebClient;

  beforeAll(async () => {
    service = recordingService();
    web = await startWebChat(service, { port: 0, maxUploadBytes: CAP, log: () => undefined });
    client = new WebClient(web.url);
    await client.fetch('/');
  });

  afterAll(async () => {
    await web?.stop();
  });

  it('describes itself with its URL on 127.0.0.1', () => {
    expect(web.platform).toBe('web');
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(web.description).toContain(web.url);
  });

  it('serves the page with a CSP and an HttpOnly, SameSite=Strict session cookie', async () => {
    const response = await fetch(web.url);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('id="record-button"');
    expect(html).toContain(`content="${CAP}"`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^synesthete_session=[\w-]{22};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    for (const asset of ['/app.js', '/style.css', '/favicon.svg']) {
      const res = await fetch(new URL(asset, web.url));
      expect(res.status, asset).toBe(200);
    }
  });

  it('uses the session cookie as conversation and user, and names the file', async () => {
    const before = service.clips.length;
    const answer = await client.json('/api/clip', {
      method: 'POST',
      body: new Uint8Array(1000),
      headers: {
        'Content-Type': 'audio/webm;codecs=opus',
        'X-File-Name': encodeURIComponent('../../étude 1.webm'),
      },
    });
    expect(answer.kind).toBe('results');
    const clip = service.clips[before];
    const session = client.cookie.split('=')[1];
    expect(clip).toMatchObject({
      platform: 'web',
      kind: 'audio',
      conversation: session,
      user: session,
      fileName: 'étude 1.webm',
      mimeType: 'audio/webm',
      byteLength: 1000,
    });
    if (answer.kind !== 'results') return;
    expect(answer).not.toHaveProperty('spectrogramPng');
    expect(answer.results[0]?.audioUrl).toBe('/api/tracks/1/audio');
    expect(answer.results[1]).not.toHaveProperty('audioUrl');
    // The picture is served to this session only.
    const url = answer.spectrogramUrl ?? '';
    expect((await client.fetch(url)).headers.get('content-type')).toBe('image/png');
    expect((await fetch(new URL(url, web.url))).status).toBe(404);
  });

  it('answers 413 to a body over the cap without calling the service', async () => {
    const before = service.clips.length;
    const big = await client.fetch('/api/clip', {
      method: 'POST',
      body: new Uint8Array(CAP + 1),
      headers: { 'Content-Type': 'audio/ogg' },
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ kind: 'rejected', reason: 'too-big' });
    // Streamed without a Content-Length: refused while the body is still arriving.
    const streamed = await rawRequest(new URL('/api/clip', web.url).href, {
      method: 'POST',
      headers: { 'Content-Type': 'audio/ogg', Cookie: client.cookie, Origin: client.origin },
      body: (req) => {
        const chunk = Buffer.alloc(16 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < CAP * 4) {
            sent += chunk.byteLength;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        req.on('error', () => undefined);
        pump();
      },
    });
    expect(streamed.status).toBe(413);
    expect(service.clips.length).toBe(before);
  });

  it('refuses cross-origin POSTs', async () => {
    const before = service.clips.length;
    for (const route of ['/api/clip', '/api/vote', '/api/forget']) {
      const response = await client.fetch(route, {
        method: 'POST',
        body: JSON.stringify({ trackId: 1, vote: 'down' }),
        headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      });
      expect(response.status, route).toBe(403);
    }
    const fetchSite = await client.fetch('/api/vote', {
      method: 'POST',
      body: JSON.stringify({ trackId: 1, vote: 'down' }),
      headers: { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' },
    });
    expect(fetchSite.status).toBe(403);
    expect(service.clips.length).toBe(before);
    expect(service.votes).toHaveLength(0);
  });

  it('answers only loopback host names (no DNS rebinding)', async () => {
    const url = new URL('/', web.url);
    const evil = await rawRequest(url.href, { headers: { Host: `rebind.example:${url.port}` } });
    expect(evil.status).toBe(421);
    const local = await rawRequest(url.href, { headers: { Host: `localhost:${url.port}` } });
    expect(local.status).toBe(200);
  });

  it('records votes and validates their body', async () => {
    const ok = await client.json('/api/vote', {
      method: 'POST',
      body: JSON.stringify({ trackId: 3, vote: 'up' }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(ok).toEqual({ kind: 'ack', text: 'Noted.' });
    expect(service.votes.at(-1)).toMatchObject({ trackId: 3, vote: 'up' });
    for (const body of ['nope', '{"trackId":-1,"vote":"up"}', '{"trackId":3,"vote":"meh"}']) {
      const bad = await client.fetch('/api/vote', { method: 'POST', body });
      expect(bad.status, body).toBe(400);
    }
    const get = await client.fetch('/api/vote');
    expect(get.status).toBe(405);
  });

  it('serves a catalogue file with Range (206) and 404s anything else', async () => {
    const file = demoTrack('metal_rock__Metal_madness.ogg');
    const size = (await stat(file)).size;
    const whole = await client.fetch('/api/tracks/1/audio');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/ogg');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect((await whole.arrayBuffer()).byteLength).toBe(size);

    const part = await client.fetch('/api/tracks/1/audio', { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
    const bytes = new Uint8Array(await part.arrayBuffer());
    expect(Buffer.from(bytes)).toEqual((await readFile(file)).subarray(100, 200));

    const tail = await client.fetch('/api/tracks/1/audio', { headers: { Range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);

    const beyond = await client.fetch('/api/tracks/1/audio', {
      headers: { Range: `bytes=${size}-` },
    });
    expect(beyond.status).toBe(416);

    for (const route of [
      '/api/tracks/2/audio',
      '/api/tracks/abc/audio',
      '/api/tracks/1/../../../etc/passwd',
      '/api/tracks/%2e%2e%2fpackage.json/audio',
      '/package.json',
      '/public/app.js',
    ]) {
      expect((await client.fetch(route)).status, route).toBe(404);
    }
  });

  it('parses Range headers', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
  });

  it('answers help and forget as JSON', async () => {
    expect(await client.json('/api/help')).toEqual({
      kind: 'help',
      text: 'Send me a voice note. /forget clears your votes.',
    });
    expect(await client.json('/api/forget', { method: 'POST' })).toEqual({
      kind: 'ack',
      text: 'Forgotten.',
    });
  });

  it('reads its options from the environment', () => {
    expect(webOptionsFromEnv({})).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(webOptionsFromEnv({ WEB_HOST: '0.0.0.0', WEB_PORT: '0' })).toEqual({
      host: '0.0.0.0',
      port: 0,
    });
    expect(() => webOptionsFromEnv({ WEB_PORT: '80a' })).toThrow(/WEB_PORT/);
    expect(() => webOptionsFromEnv({ WEB_PORT: '70000' })).toThrow(/WEB_PORT/);
  });

  it('finds the page from the compiled server in dist/ too', async () => {
    const compiled = path.join(REPO_ROOT, 'dist', 'bots', 'web', 'index.js');
    if (!existsSync(compiled)) return;
    const module = (await import(
      pathToFileURL(compiled).href
    )) as typeof import('../../bots/web/index.js');
    const built = await module.startWebChat(recordingService(), { port: 0 });
    try {
      const response = await fetch(built.url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Synesthete');
    } finally {
      await built.stop();
    }
  });
});
