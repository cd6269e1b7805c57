/**
 * A local fake of the Slack Web API (node:http), enough for the Slack adapter's round trips:
 * `auth.test`, `chat.postMessage`, `chat.update`, `chat.postEphemeral`, `files.info`, `conversations.replies`,
 * `files.getUploadURLExternal`, the upload target, `files.completeUploadExternal`, the
 * `url_private_download` route (which answers an HTML login page without the bot token, as Slack
 * does), `response_url` targets, and Socket Mode (`apps.connections.open` with the app token,
 * then a WebSocket that says `hello` and carries envelopes the client must ack). Every call is recorded; response bodies are shaped like real
 * Slack ones (trimmed to the fields a client reads).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** Workspace, bot and channel ids the fake uses. */
export const FAKE_SLACK = {
  teamId: 'T0SYNES01',
  teamDomain: 'synesthete-test',
  botUserId: 'U0SYNBOT1',
  botId: 'B0SYNBOT1',
  appId: 'A0SYNAPP1',
  userId: 'U0LISTEN1',
  channelId: 'C0MUSIC01',
  dmChannelId: 'D0DIRECT1',
} as const;

/** One recorded request to the fake. */
export interface RecordedCall {
  /** Web API method ("chat.update"), or "upload", "download" or "respond" for the other routes. */
  readonly method: string;
  /** Form fields (JSON-valued ones such as `blocks` and `files` parsed), or the JSON body. */
  readonly params: Record<string, unknown>;
  /** The value of the Authorization header, when one was sent. */
  readonly authorization: string | undefined;
  /** Request body size in bytes. */
  readonly bodyBytes: number;
  /** What the fake answered (Web API methods only). */
  readonly response?: unknown;
  /** Ordinal of this call (0-based). */
  readonly seq: number;
}

/** A file object as Slack's events and files.info return it. */
export interface FakeSlackFile {
  readonly id: string;
  readonly created: number;
  readonly timestamp: number;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  readonly filetype: string;
  readonly pretty_type: string;
  readonly user: string;
  readonly user_team: string;
  readonly editable: boolean;
  readonly size: number;
  readonly mode: 'hosted';
  readonly is_external: boolean;
  readonly external_type: string;
  readonly is_public: boolean;
  readonly public_url_shared: boolean;
  readonly display_as_bot: boolean;
  readonly username: string;
  readonly url_private: string;
  readonly url_private_download: string;
  readonly media_display_type: string;
  readonly permalink: string;
  readonly permalink_public: string;
  readonly is_starred: boolean;
  readonly has_rich_preview: boolean;
  readonly file_access: 'visible';
  readonly subtype?: string;
  readonly duration_ms?: number;
  readonly shares?: Record<string, Record<string, readonly Record<string, unknown>[]>>;
  readonly channels?: readonly string[];
}

/** What {@link FakeSlackApi.addFile} needs to host a file. */
export interface AddFileOptions {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly mimetype: string;
  readonly filetype: string;
  /** Size Slack announces; default the real size (set it to lie, e.g. to announce a huge file). */
  readonly size?: number;
  /** Slack's own subtype, e.g. "slack_audio" for a clip recorded in the app. */
  readonly subtype?: string;
  readonly durationMs?: number;
  /** Channel and message ts the file was shared in (fills `shares` and `channels`). */
  readonly share?: { readonly channel: string; readonly ts: string; readonly threadTs?: string };
}

/** The running fake. */
export interface FakeSlackApi {
  /** Web API base URL, to pass as Bolt's `clientOptions.slackApiUrl` ("http://127.0.0.1:P/api/"). */
  readonly apiUrl: string;
  /** "http://127.0.0.1:P". */
  readonly origin: string;
  /** Every request so far, in arrival order. */
  readonly calls: readonly RecordedCall[];
  /** Hosts a file for files.info and download; returns its Slack file object. */
  addFile(options: AddFileOptions): FakeSlackFile;
  /** A new message ts ("1700000000.000123"), increasing. */
  nextTs(): string;
  /** A `response_url` on this fake. */
  responseUrl(): string;
  /**
   * Sends a Socket Mode envelope to the connected client.
   * @param type - "events_api", "interactive" or "slash_commands"
   * @param payload - what Slack would have POSTed in HTTP mode (as an object)
   * @returns the client's ack (its `payload`, `{}` for a bare ack) and milliseconds until it came
   * @throws Error when no client is connected, or after 10 s without an ack
   */
  socketSend(
    type: 'events_api' | 'interactive' | 'slash_commands',
    payload: Record<string, unknown>,
  ): Promise<{ readonly ack: unknown; readonly elapsedMs: number }>;
  /**
   * Resolves with the first call at or after `fromSeq` that satisfies `match`.
   * @throws Error after `timeoutMs` (default 60 s) naming what was awaited
   */
  waitFor(
    match: (call: RecordedCall) => boolean,
    options?: { fromSeq?: number; timeoutMs?: number; what?: string },
  ): Promise<RecordedCall>;
  /**
   * Makes the next call of Web API `method` fail with HTTP `status` (e.g. 429 with a
   * `retry-after` header, or 503) before the fake answers it normally again. The failed call is
   * recorded with `response: { httpStatus }`.
   */
  failNext(method: string, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const HTML_LOGIN_PAGE =
  '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>';

/** Parses a form field: JSON-valued Web API arguments (blocks, files) come back as objects. */
function parseField(value: string): unknown {
  if (value.startsWith('[') || value.startsWith('{')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseParams(contentType: string, body: Buffer): Record<string, unknown> {
  if (contentType.startsWith('application/json')) {
    return body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const params: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
      params[key] = parseField(value);
    }
    return params;
  }
  return {};
}

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}

/**
 * Starts the fake on a free port of 127.0.0.1.
 *
 * @param botToken - the token downloads must carry (`Authorization: Bearer <token>`)
 */
export async function startFakeSlackApi(
  botToken: string,
  options: { readonly appToken?: string } = {},
): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const failures = new Map<string, { status: number; headers: Record<string, string> }>();
  const acks = new Map<string, (ack: unknown) => void>();
  let socket: WebSocket | undefined;
  const waiters = new Set<() => void>();
  const files = new Map<string, { file: FakeSlackFile; bytes: Uint8Array }>();
  let tsCounter = 0;
  let fileCounter = 0;
  let origin = '';

  const nextTs = (): string => {
    tsCounter += 1;
    return `${1_700_000_000 + Math.floor(tsCounter / 1000)}.${String(tsCounter % 1000).padStart(6, '0')}`;
  };

  const record = (call: Omit<RecordedCall, 'seq'>): void => {
    calls.push({ ...call, seq: calls.length });
    for (const wake of [...waiters]) wake();
  };

  const apiMethod = (method: string, params: Record<string, unknown>): unknown => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: `https://${FAKE_SLACK.teamDomain}.slack.com/`,
          team: 'Synesthete Test',
          user: 'synesthete',
          team_id: FAKE_SLACK.teamId,
          user_id: FAKE_SLACK.botUserId,
          bot_id: FAKE_SLACK.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const ts = nextTs();
        return {
          ok: true,
          channel: params.channel,
          ts,
          message: {
            type: 'message',
            subtype: 'bot_message',
            text: params.text,
            ts,
            thread_ts: params.thread_ts,
            bot_id: FAKE_SLACK.botId,
            user: FAKE_SLACK.botUserId,
            blocks: params.blocks,
          },
        };
      }
      case 'chat.update':
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'files.info': {
        const hosted = files.get(String(params.file));
        return hosted
          ? { ok: true, file: hosted.file, comments: [], response_metadata: { next_cursor: '' } }
          : { ok: false, error: 'file_not_found' };
      }
      case 'conversations.replies': {
        // The thread's first message: the upload whose share ts is the thread ts.
        const hosted = [...files.values()].find(({ file }) =>
          Object.values(file.shares?.public ?? {}).some((list) =>
            list.some((share) => share.ts === params.ts),
          ),
        );
        const messages = hosted
          ? [
              {
                type: 'message',
                subtype: 'file_share',
                text: '',
                files: [hosted.file],
                user: hosted.file.user,
                ts: params.ts,
                thread_ts: params.ts,
                reply_count: 1,
              },
            ]
          : [];
        return { ok: true, messages, has_more: false };
      }
      case 'files.getUploadURLExternal': {
        fileCounter += 1;
        const fileId = `F0UPLOAD${String(fileCounter).padStart(3, '0')}`;
        return { ok: true, upload_url: `${origin}/upload/v1/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const list = Array.isArray(params.files) ? (params.files as { id: string }[]) : [];
        return {
          ok: true,
          files: list.map((f) => ({ id: f.id, title: String(params.title ?? '') })),
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const body = await readBody(req);
    const authorization = req.headers.authorization;
    const contentType = req.headers['content-type'] ?? '';
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      const params = parseParams(contentType, body);
      const failure = failures.get(method);
      if (failure) {
        failures.delete(method);
        record({
          method,
          params,
          authorization,
          bodyBytes: body.length,
          response: { httpStatus: failure.status },
        });
        const error = failure.status === 429 ? 'ratelimited' : 'fatal_error';
        res.writeHead(failure.status, {
          'content-type': 'application/json; charset=utf-8',
          ...failure.headers,
        });
        res.end(JSON.stringify({ ok: false, error }));
        return;
      }
      const appAuthed =
        options.appToken !== undefined && authorization === `Bearer ${options.appToken}`;
      const response =
        method === 'apps.connections.open'
          ? appAuthed
            ? { ok: true, url: `${origin.replace('http', 'ws')}/link/?ticket=${randomUUID()}` }
            : { ok: false, error: 'invalid_auth' }
          : authorization === `Bearer ${botToken}`
            ? apiMethod(method, params)
            : { ok: false, error: 'not_authed' };
      record({ method, params, authorization, bodyBytes: body.length, response });
      sendJson(res, response);
      return;
    }
    if (url.pathname.startsWith('/upload/v1/')) {
      record({
        method: 'upload',
        params: { fileId: url.pathname.slice('/upload/v1/'.length) },
        authorization,
        bodyBytes: body.length,
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${body.length}`);
      return;
    }
    if (url.pathname.startsWith('/respond/')) {
      record({
        method: 'respond',
        params: parseParams(contentType, body),
        authorization,
        bodyBytes: body.length,
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const download = /^\/files-pri\/[^/]+-(F[A-Z0-9]+)\/download\/[^/]+$/.exec(url.pathname);
    if (download && req.method === 'GET') {
      const fileId = download[1] as string;
      record({ method: 'download', params: { fileId }, authorization, bodyBytes: 0 });
      const hosted = files.get(fileId);
      if (authorization !== `Bearer ${botToken}` || !hosted) {
        // Slack answers a missing or wrong token with its sign-in page, status 200.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(HTML_LOGIN_PAGE);
        return;
      }
      res.writeHead(200, {
        'content-type': hosted.file.mimetype,
        'content-length': String(hosted.bytes.byteLength),
      });
      res.end(Buffer.from(hosted.bytes));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  const sockets = new WebSocketServer({ server, path: '/link/' });
  sockets.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      const settle = message.envelope_id === undefined ? undefined : acks.get(message.envelope_id);
      if (message.envelope_id !== undefined) acks.delete(message.envelope_id);
      settle?.(message.payload ?? {});
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake', approximate_connection_time: 18060 },
        connection_info: { app_id: FAKE_SLACK.appId },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${origin}/api/`,
    origin,
    calls,
    nextTs,
    responseUrl: () => `${origin}/respond/${randomUUID()}`,
    failNext(method, status, headers = {}) {
      failures.set(method, { status, headers });
    },
    addFile(options) {
      fileCounter += 1;
      const id = `F0CLIP${String(fileCounter).padStart(4, '0')}`;
      const now = Math.floor(Date.now() / 1000);
      const encoded = encodeURIComponent(options.name);
      // Real Slack hosts files on files.slack.com; the adapter rewrites that host to the API
      // host when SLACK_API_URL is set, which is how this fake serves them.
      const base = `https://files.slack.com/files-pri/${FAKE_SLACK.teamId}-${id}`;
      const isAudio = options.mimetype.startsWith('audio/');
      const file: FakeSlackFile = {
        id,
        created: now,
        timestamp: now,
        name: options.name,
        title: options.name,
        mimetype: options.mimetype,
        filetype: options.filetype,
        pretty_type: options.filetype.toUpperCase(),
        user: FAKE_SLACK.userId,
        user_team: FAKE_SLACK.teamId,
        editable: false,
        size: options.size ?? options.bytes.byteLength,
        mode: 'hosted',
        is_external: false,
        external_type: '',
        is_public: true,
        public_url_shared: false,
        display_as_bot: false,
        username: '',
        url_private: `${base}/${encoded}`,
        url_private_download: `${base}/download/${encoded}`,
        media_display_type: isAudio ? 'audio' : 'unknown',
        permalink: `https://${FAKE_SLACK.teamDomain}.slack.com/files/${FAKE_SLACK.userId}/${id}/${encoded}`,
        permalink_public: `https://slack-files.com/${FAKE_SLACK.teamId}-${id}-0123456789`,
        is_starred: false,
        has_rich_preview: false,
        file_access: 'visible',
        ...(options.subtype === undefined ? {} : { subtype: options.subtype }),
        ...(options.durationMs === undefined ? {} : { duration_ms: options.durationMs }),
        ...(options.share === undefined
          ? {}
          : {
              channels: [options.share.channel],
              shares: {
                public: {
                  [options.share.channel]: [
                    {
                      reply_users: [],
                      reply_users_count: 0,
                      reply_count: 0,
                      ts: options.share.ts,
                      ...(options.share.threadTs === undefined
                        ? {}
                        : { thread_ts: options.share.threadTs }),
                      channel_name: 'music',
                      team_id: FAKE_SLACK.teamId,
                      share_user_id: FAKE_SLACK.userId,
                    },
                  ],
                },
              },
            }),
      };
      files.set(id, { file, bytes: options.bytes });
      return file;
    },
    socketSend(type, payload) {
      const ws = socket;
      if (!ws || ws.readyState !== ws.OPEN) {
        return Promise.reject(new Error('no Socket Mode client connected'));
      }
      const envelopeId = randomUUID();
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(envelopeId);
          reject(new Error(`no ack for a ${type} envelope within 10 s`));
        }, 10_000);
        acks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve({ ack, elapsedMs: performance.now() - started });
        });
        ws.send(
          JSON.stringify({
            envelope_id: envelopeId,
            payload,
            type,
            accepts_response_payload: type !== 'events_api',
            ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
          }),
        );
      });
    },
    waitFor(match, options = {}) {
      const fromSeq = options.fromSeq ?? 0;
      const timeoutMs = options.timeoutMs ?? 60_000;
      return new Promise<RecordedCall>((resolve, reject) => {
        const check = (): boolean => {
          const found = calls.slice(fromSeq).find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake Slack: timed out waiting for ${options.what ?? 'a call'}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
