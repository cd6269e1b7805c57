/**
 * A local fake of the Telegram Bot API (node:http), enough for grammY to run a bot against it
 * unchanged (`new Bot(token, { client: { apiRoot } })`): getMe, getUpdates (long poll fed from a
 * queue the test pushes updates into), sendMessage, sendPhoto (multipart, parsed by hand), sendChatAction,
 * answerCallbackQuery, editMessageText, deleteMessage, setWebhook/deleteWebhook,
 * setMyCommands, getFile and the file download route. Every call is recorded with its
 * parameters and the time it arrived.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { fakeTelegramToken } from './fake-tokens.js';

/** One Bot API call as the fake received it. */
export interface RecordedCall {
  readonly method: string;
  /** Parameters; JSON-looking multipart fields are parsed; file fields are `{ file: bytes }`. */
  readonly params: Readonly<Record<string, unknown>>;
  /** `performance.now()` when the request arrived. */
  readonly at: number;
  /** What the fake answered (`result` of a successful call), once it has answered. */
  readonly result?: unknown;
}

/** A file the fake can hand out through getFile and the download route. */
export interface FakeFile {
  readonly file_id: string;
  readonly file_unique_id: string;
  /** Size announced in updates and getFile (the real size unless overridden). */
  readonly file_size: number;
  readonly file_path: string;
}

/** An update without its id (the fake numbers them). */
export type UpdateBody = Omit<Update, 'update_id'>;

/** The running fake. */
export interface FakeTelegramApi {
  /** Base URL to give grammY as `apiRoot` (no trailing slash). */
  readonly apiRoot: string;
  /** The only token the fake accepts. */
  readonly token: string;
  readonly me: UserFromGetMe;
  /** Every API call, in arrival order. */
  readonly calls: RecordedCall[];
  /** `file_path`s downloaded through the file route, in order. */
  readonly downloads: string[];
  /**
   * Queues an update for getUpdates (a waiting long poll returns at once).
   * @returns the update_id given to it
   */
  pushUpdate(update: UpdateBody): number;
  /**
   * Stores a file for getFile and download.
   * @param bytes - the content
   * @param options - `folder` of its path ("voice", "music", "documents"), `announcedSize` to
   *   pretend it is bigger than it is
   */
  addFile(bytes: Uint8Array, options?: { folder?: string; announcedSize?: number }): FakeFile;
  /** Calls recorded since index `from`, optionally of one method. */
  callsSince(from: number, method?: string): RecordedCall[];
  /**
   * Resolves with the first call (at index ≥ `from`) matching `predicate`.
   * @throws Error after `timeoutMs` (default 30 s)
   */
  waitForCall(
    predicate: (call: RecordedCall) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<RecordedCall>;
  /**
   * Makes the next call of `method` fail with a Bot API error; `parameters` are Telegram's
   * `ResponseParameters` (e.g. `{ retry_after: 1 }` with a 429).
   */
  failNext(
    method: string,
    errorCode: number,
    description: string,
    parameters?: { retry_after?: number },
  ): void;
  close(): Promise<void>;
}

interface Poll {
  offset: number;
  limit: number;
  resolve: (updates: Update[]) => void;
}

/** A bot token of the shape @BotFather gives. */
export const FAKE_BOT_TOKEN = fakeTelegramToken();

/**
 * Starts the fake on 127.0.0.1 and a free port.
 *
 * @param options - `token` it accepts (default {@link FAKE_BOT_TOKEN}), `maxPollS`: longest
 *   long poll (default 2 s, so that a stopping bot is not kept waiting)
 */
export async function startFakeTelegramApi(
  options: { token?: string; maxPollS?: number } = {},
): Promise<FakeTelegramApi> {
  const token = options.token ?? FAKE_BOT_TOKEN;
  const maxPollS = options.maxPollS ?? 2;
  const botId = Number(token.split(':')[0]);
  const me: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: 'Synesthete',
    username: 'synesthete_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  } as UserFromGetMe;
  const calls: RecordedCall[] = [];
  const downloads: string[] = [];
  const queue: Update[] = [];
  const polls = new Set<Poll>();
  const files = new Map<string, { file: FakeFile; bytes: Uint8Array }>();
  const byPath = new Map<string, Uint8Array>();
  const failures = new Map<
    string,
    { error_code: number; description: string; parameters?: { retry_after?: number } }
  >();
  const waiters = new Set<() => void>();
  let nextUpdateId = 100_000;
  let nextMessageId = 1;
  let nextFile = 1;

  const takeUpdates = (offset: number, limit: number): Update[] => {
    while (queue.length > 0 && (queue[0] as Update).update_id < offset) queue.shift();
    return queue.slice(0, limit);
  };
  const botMessage = (params: Record<string, unknown>, extra: Partial<Message>): Message =>
    ({
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat:
        Number(params.chat_id) < 0
          ? { id: Number(params.chat_id), type: 'group', title: 'Group' }
          : { id: Number(params.chat_id), type: 'private', first_name: 'User' },
      from: { id: me.id, is_bot: true, first_name: me.first_name, username: me.username },
      ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
      ...extra,
    }) as Message;

  const methods: Record<string, (params: Record<string, unknown>) => unknown> = {
    getMe: () => me,
    logOut: () => true,
    close: () => true,
    deleteWebhook: () => true,
    setWebhook: () => true,
    getWebhookInfo: () => ({ url: '', has_custom_certificate: false, pending_update_count: 0 }),
    setMyCommands: () => true,
    sendChatAction: () => true,
    answerCallbackQuery: () => true,
    deleteMessage: () => true,
    sendMessage: (p) => botMessage(p, { text: String(p.text) } as Partial<Message>),
    editMessageText: (p) =>
      botMessage(p, { message_id: Number(p.message_id), text: String(p.text) } as Partial<Message>),
    sendPhoto: (p) =>
      botMessage(p, {
        photo: [{ file_id: `photo-${nextFile++}`, file_unique_id: 'p', width: 256, height: 128 }],
        ...(p.caption ? { caption: String(p.caption) } : {}),
      } as Partial<Message>),
    getFile: (p) => {
      const stored = files.get(String(p.file_id));
      if (!stored) throw apiError(400, 'Bad Request: invalid file_id');
      return stored.file;
    },
  };

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 500, description: String(error) }));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const fileRoute = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (fileRoute) {
      const [, reqToken, filePath] = fileRoute as unknown as [string, string, string];
      const bytes = reqToken === token ? byPath.get(decodeURIComponent(filePath)) : undefined;
      if (!bytes) {
        res.writeHead(404).end();
        return;
      }
      downloads.push(decodeURIComponent(filePath));
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.byteLength),
      });
      res.end(bytes);
      return;
    }
    const apiRoute = url.pathname.match(/^\/bot([^/]+)\/([A-Za-z]+)$/);
    if (!apiRoute) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, reqToken, method] = apiRoute as unknown as [string, string, string];
    const at = performance.now();
    const params = await readParams(req, url);
    if (reqToken !== token) {
      return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const call: { method: string; params: Record<string, unknown>; at: number; result?: unknown } =
      { method, params, at };
    calls.push(call);
    for (const wake of waiters) wake();
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return send(res, failure.error_code, { ok: false, ...failure });
    }
    if (method === 'getUpdates') {
      const offset = Number(params.offset ?? 0);
      const limit = Number(params.limit ?? 100);
      const timeoutS = Math.min(Number(params.timeout ?? 0), maxPollS);
      const ready = takeUpdates(offset, limit);
      if (ready.length > 0 || timeoutS <= 0) return send(res, 200, { ok: true, result: ready });
      const updates = await new Promise<Update[]>((resolve) => {
        const poll: Poll = { offset, limit, resolve };
        const done = (result: Update[]) => {
          clearTimeout(timer);
          polls.delete(poll);
          req.socket.off('close', gone);
          resolve(result);
        };
        // The client gave up (grammY aborts the poll on stop): nobody to answer.
        const gone = () => done([]);
        poll.resolve = done;
        const timer = setTimeout(() => done([]), timeoutS * 1000);
        polls.add(poll);
        req.socket.once('close', gone);
      });
      if (!res.writableEnded && !res.destroyed) send(res, 200, { ok: true, result: updates });
      return;
    }
    const handler = methods[method];
    if (!handler) {
      return send(res, 404, {
        ok: false,
        error_code: 404,
        description: 'Not Found: method not found',
      });
    }
    try {
      call.result = handler(params);
      send(res, 200, { ok: true, result: call.result });
    } catch (error) {
      const e = error as { error_code?: number; description?: string };
      send(res, e.error_code ?? 500, {
        ok: false,
        error_code: e.error_code ?? 500,
        description: e.description ?? String(error),
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    me,
    calls,
    downloads,
    pushUpdate(update) {
      const full = { ...update, update_id: nextUpdateId++ } as Update;
      queue.push(full);
      for (const poll of polls) {
        const ready = takeUpdates(poll.offset, poll.limit);
        if (ready.length > 0) poll.resolve(ready);
      }
      return full.update_id;
    },
    addFile(bytes, fileOptions = {}) {
      const n = nextFile++;
      const folder = fileOptions.folder ?? 'voice';
      const file: FakeFile = {
        file_id: `AwACAgQAAxkBAAI${String(n).padStart(4, '0')}Fake${folder}FileId`,
        file_unique_id: `AgAD${n}Fake`,
        file_size: fileOptions.announcedSize ?? bytes.byteLength,
        file_path: `${folder}/file_${n}.${folder === 'voice' ? 'oga' : 'bin'}`,
      };
      files.set(file.file_id, { file, bytes });
      byPath.set(file.file_path, bytes);
      return file;
    },
    callsSince(from, method) {
      return calls.slice(from).filter((c) => method === undefined || c.method === method);
    },
    waitForCall(predicate, waitOptions = {}) {
      const from = waitOptions.from ?? 0;
      const timeoutMs = waitOptions.timeoutMs ?? 30_000;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = calls.slice(from).find(predicate);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fake Telegram API: no matching call within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => {
          check();
        };
        if (!check()) waiters.add(wake);
      });
    },
    failNext(method, errorCode, description, parameters) {
      failures.set(method, {
        error_code: errorCode,
        description,
        ...(parameters ? { parameters } : {}),
      });
    },
    close() {
      for (const poll of polls) poll.resolve([]);
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function apiError(errorCode: number, description: string) {
  return { error_code: errorCode, description };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Reads a Bot API request's parameters: query string, JSON, urlencoded or multipart body. */
async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.byteLength === 0) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    return { ...params, ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
      params[name] = fieldValue(value);
    }
    return params;
  }
  const boundary = type.match(/boundary=(?:"([^"]+)"|([^;]+))/);
  if (type.startsWith('multipart/form-data') && boundary) {
    const attachments = new Map<string, Uint8Array>();
    for (const part of parseMultipart(body, (boundary[1] ?? boundary[2]) as string)) {
      if (part.filename === undefined) params[part.name] = fieldValue(part.body.toString('utf8'));
      else attachments.set(part.name, new Uint8Array(part.body));
    }
    // grammY sends files as `photo=attach://<name>` plus a part named <name>.
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string' && value.startsWith('attach://')) {
        const bytes = attachments.get(value.slice('attach://'.length));
        if (bytes) params[name] = { file: bytes };
      }
    }
    return params;
  }
  return params;
}

/** A multipart field: JSON-looking values (reply_markup, reply_parameters) parsed. */
function fieldValue(value: string): unknown {
  return /^[[{]/.test(value) ? JSON.parse(value) : value;
}

/**
 * Splits a multipart/form-data body into parts. Written here because grammY's bodies are valid
 * but terse (`content-disposition:form-data;name="x";filename=y.png`, no spaces, unquoted file
 * names), which undici's `Request.formData()` refuses.
 */
function parseMultipart(
  body: Buffer,
  boundary: string,
): Array<{ name: string; filename?: string; body: Buffer }> {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ name: string; filename?: string; body: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // A part is: CRLF, headers, CRLF CRLF, content, CRLF.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8').split('\r\n');
    const disposition = headers.find((h) => /^content-disposition\s*:/i.test(h)) ?? '';
    const name = disposition.match(/;\s*name=(?:"([^"]*)"|([^;\s]+))/i);
    const filename = disposition.match(/;\s*filename=(?:"([^"]*)"|([^;\s]+))/i);
    if (name) {
      parts.push({
        name: (name[1] ?? name[2]) as string,
        ...(filename ? { filename: (filename[1] ?? filename[2]) as string } : {}),
        body: part.subarray(split + 4),
      });
    }
    at = next;
  }
  return parts;
}
