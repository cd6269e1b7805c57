/**
 * A local fake of Discord for adapter tests: a node:http REST server shaped like
 * `https://discord.com/api/v10` plus a gateway on the same port (the `ws` package). discord.js
 * runs unmodified against it with `new Client({ rest: { api: fake.apiUrl } })`; the gateway URL
 * reaches it through `GET /gateway/bot`, as on real Discord.
 *
 * What it does: HELLO (op 10) → IDENTIFY (op 2) → READY + GUILD_CREATE for one guild with one
 * text channel and two voice channels ("Lounge", open; "Studio", where the bot is denied
 * Connect); heartbeat ACKs (op 11); {@link FakeDiscord.dispatch} pushes any event
 * (MESSAGE_CREATE, INTERACTION_CREATE); {@link FakeDiscord.setVoiceState} moves a member in or
 * out of a voice channel (VOICE_STATE_UPDATE). A bot's own voice-state update (op 4, what
 * `@discordjs/voice` sends to join or leave) is recorded and echoed back as VOICE_STATE_UPDATE,
 * as Discord does; no VOICE_SERVER_UPDATE follows (there is no voice server here, so a real
 * voice connection stays in Signalling — tests inject a voice connector instead). Every REST call the bot makes is recorded (JSON body, or
 * `payload_json` plus files for multipart) and answered with Discord-shaped objects. Attachments
 * the tests "upload" are served from `/attachments/…` and their downloads counted.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A file the bot uploaded with a request (multipart `files[n]`). */
export interface RecordedFile {
  readonly field: string;
  readonly name: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

/** One REST request the bot made. */
export interface RecordedRequest {
  readonly method: string;
  /** Path after `/api/v10`, e.g. "/channels/1/messages". */
  readonly path: string;
  readonly query: URLSearchParams;
  /** JSON body (or the multipart `payload_json`), undefined when there was none. */
  // biome-ignore lint/suspicious/noExplicitAny: Discord payloads are read loosely in tests.
  readonly body: any;
  readonly files: readonly RecordedFile[];
  /** The message object the fake answered with, when the request created or edited one. */
  // biome-ignore lint/suspicious/noExplicitAny: Discord payloads are read loosely in tests.
  readonly message?: any;
}

/** A Discord attachment object as it appears in messages and interactions. */
export interface FakeAttachment {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly url: string;
  readonly proxy_url: string;
  readonly content_type?: string;
  readonly duration_secs?: number;
  readonly waveform?: string;
}

/** A Discord user object. */
export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly discriminator: string;
  readonly global_name: string | null;
  readonly avatar: null;
  readonly bot?: boolean;
}

/** Options of {@link startFakeDiscord}. */
export interface FakeDiscordOptions {
  /** The bot token the fake accepts (others get 401 / gateway close 4004). */
  readonly token?: string;
  /** When set, the gateway closes with this code instead of answering IDENTIFY (4014: intents). */
  readonly identifyCloseCode?: number;
}

/** A running fake; see the file comment. */
export interface FakeDiscord {
  /** Value for discord.js `rest.api`: "http://127.0.0.1:PORT/api". */
  readonly apiUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly guildId: string;
  /** The guild's one text channel. */
  readonly channelId: string;
  /** A voice channel everyone may join ("Lounge"). */
  readonly voiceChannelId: string;
  /** A voice channel where the bot is denied Connect ("Studio"). */
  readonly lockedVoiceChannelId: string;
  /** Voice-state updates the bot sent over the gateway (op 4 `d`), oldest first. */
  // biome-ignore lint/suspicious/noExplicitAny: Discord payloads are read loosely in tests.
  readonly voiceStateRequests: readonly any[];
  /**
   * Puts a member into a voice channel (or out of voice with null): dispatches VOICE_STATE_UPDATE.
   */
  setVoiceState(user: FakeUser, channelId: string | null): void;
  readonly botUser: FakeUser;
  /** A human in the guild who sends clips. */
  readonly human: FakeUser;
  /** Every REST request so far, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** A fresh snowflake-like id. */
  nextId(): string;
  /**
   * Serves bytes as a Discord CDN attachment.
   * @returns the attachment object to put in a message or interaction (size = bytes.length
   *   unless `announcedSize` says otherwise)
   */
  serveAttachment(
    bytes: Uint8Array,
    meta: {
      filename: string;
      contentType?: string;
      durationS?: number;
      waveform?: string;
      announcedSize?: number;
    },
  ): FakeAttachment;
  /** How many times an attachment's URL was downloaded. */
  downloads(attachment: FakeAttachment): number;
  /** Pushes a gateway dispatch (op 0) to every connected client. */
  // biome-ignore lint/suspicious/noExplicitAny: any event payload.
  dispatch(event: string, data: any): void;
  /**
   * Resolves with the first recorded request (past or future) matching `match`, in order.
   * @param after - only requests with an index ≥ this count (default 0)
   * @throws Error after `timeoutMs` (default 90 s)
   */
  waitForRequest(
    match: (request: RecordedRequest) => boolean,
    options?: { after?: number; timeoutMs?: number },
  ): Promise<RecordedRequest>;
  /** Resolves when a client has identified and received READY. */
  identified(): Promise<void>;
  close(): Promise<void>;
}

const API_PREFIX = '/api/v10';

/** A guild channel message's common fields. */
function baseMessage(
  id: string,
  channelId: string,
  author: FakeUser,
): Record<string, unknown> & { id: string } {
  return {
    id,
    channel_id: channelId,
    author,
    content: '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: 0,
  };
}

/**
 * Starts the fake on 127.0.0.1 on a free port.
 *
 * @param options - token and failure modes
 * @returns the running fake; call `close()` when done
 */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-bot-token.part.two';
  let counter = 0n;
  const nextId = (): string => {
    counter += 1n;
    return (1_300_000_000_000_000_000n + counter).toString();
  };
  const applicationId = nextId();
  const guildId = nextId();
  const channelId = nextId();
  const voiceChannelId = nextId();
  const lockedVoiceChannelId = nextId();
  // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
  const voiceStateRequests: any[] = [];
  const botUser: FakeUser = {
    id: applicationId,
    username: 'synesthete',
    discriminator: '0',
    global_name: 'Synesthete',
    avatar: null,
    bot: true,
  };
  const human: FakeUser = {
    id: nextId(),
    username: 'listener',
    discriminator: '0',
    global_name: 'Listener',
    avatar: null,
  };
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const files = new Map<string, { bytes: Uint8Array; contentType: string; downloads: number }>();
  // biome-ignore lint/suspicious/noExplicitAny: stored Discord message objects.
  const messages = new Map<string, any>();
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let identifiedResolve: () => void = () => undefined;
  const identifiedPromise = new Promise<void>((resolve) => {
    identifiedResolve = resolve;
  });

  const record = (request: RecordedRequest): void => {
    requests.push(request);
    for (const wake of waiters) wake();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error), code: 0 }));
    });
  });
  const wss = new WebSocketServer({ server, path: '/gateway' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  const send = (socket: WebSocket, payload: unknown): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  };
  const dispatchTo = (socket: WebSocket, t: string, d: unknown): void => {
    seq += 1;
    send(socket, { op: 0, t, s: seq, d });
  };

  const voiceState = (user: FakeUser, channel: string | null): Record<string, unknown> => ({
    guild_id: guildId,
    channel_id: channel,
    user_id: user.id,
    member: { user, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false },
    session_id: `voice-session-${user.id}`,
    deaf: false,
    mute: false,
    self_deaf: false,
    self_mute: false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  });

  /** Voice and stage channels of the guild (type 2). */
  const voiceChannel = (id: string, name: string, position: number, denyBotConnect: boolean) => ({
    id,
    type: 2,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: denyBotConnect
      ? [{ id: botUser.id, type: 1, allow: '0', deny: String(1 << 20) }]
      : [],
    nsfw: false,
    parent_id: null,
    bitrate: 64_000,
    user_limit: 0,
    rtc_region: null,
  });

  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    send(socket, { op: 10, d: { heartbeat_interval: 41_250 } });
    socket.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as {
        op: number;
        d: { token?: string; channel_id?: string | null };
      };
      if (payload.op === 1) send(socket, { op: 11 });
      if (payload.op === 4) {
        voiceStateRequests.push(payload.d);
        for (const wake of waiters) wake();
        dispatchTo(socket, 'VOICE_STATE_UPDATE', voiceState(botUser, payload.d.channel_id ?? null));
        return;
      }
      if (payload.op !== 2) return;
      if (options.identifyCloseCode !== undefined) {
        socket.close(options.identifyCloseCode, 'Disallowed intent(s).');
        return;
      }
      if (payload.d.token !== token) {
        socket.close(4004, 'Authentication failed.');
        return;
      }
      dispatchTo(socket, 'READY', {
        v: 10,
        user: { ...botUser, flags: 0, verified: true, mfa_enabled: false },
        guilds: [{ id: guildId, unavailable: true }],
        session_id: randomUUID().replaceAll('-', ''),
        resume_gateway_url: gatewayUrl,
        shard: [0, 1],
        application: { id: applicationId, flags: 0 },
        private_channels: [],
        presences: [],
        relationships: [],
        guild_join_requests: [],
        user_settings: {},
        geo_ordered_rtc_regions: [],
        session_type: 'normal',
        auth: {},
      });
      dispatchTo(socket, 'GUILD_CREATE', {
        id: guildId,
        name: 'Listening room',
        icon: null,
        splash: null,
        discovery_splash: null,
        owner_id: human.id,
        afk_channel_id: null,
        afk_timeout: 300,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        roles: [
          {
            id: guildId,
            name: '@everyone',
            color: 0,
            hoist: false,
            icon: null,
            unicode_emoji: null,
            position: 0,
            permissions: '2248473465835073',
            managed: false,
            mentionable: false,
            flags: 0,
          },
        ],
        emojis: [],
        features: [],
        mfa_level: 0,
        application_id: null,
        system_channel_id: channelId,
        system_channel_flags: 0,
        rules_channel_id: null,
        vanity_url_code: null,
        description: null,
        banner: null,
        premium_tier: 0,
        preferred_locale: 'en-US',
        public_updates_channel_id: null,
        nsfw_level: 0,
        stickers: [],
        premium_progress_bar_enabled: false,
        joined_at: new Date().toISOString(),
        large: false,
        unavailable: false,
        member_count: 2,
        voice_states: [],
        members: [
          {
            user: botUser,
            roles: [],
            joined_at: new Date().toISOString(),
            deaf: false,
            mute: false,
          },
          { user: human, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false },
        ],
        channels: [
          {
            id: channelId,
            type: 0,
            guild_id: guildId,
            name: 'music',
            position: 0,
            permission_overwrites: [],
            topic: null,
            nsfw: false,
            last_message_id: null,
            rate_limit_per_user: 0,
            parent_id: null,
          },
          voiceChannel(voiceChannelId, 'Lounge', 1, false),
          voiceChannel(lockedVoiceChannelId, 'Studio', 2, true),
        ],
        threads: [],
        presences: [],
        stage_instances: [],
        guild_scheduled_events: [],
        soundboard_sounds: [],
      });
      identifiedResolve();
    });
  });

  const json = (res: ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  /** Reads a JSON or multipart body the way Discord does (payload_json + files[n]). */
  const readBody = async (
    req: IncomingMessage,
    // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
  ): Promise<{ body: any; files: RecordedFile[] }> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (raw.length === 0) return { body: undefined, files: [] };
    if (!type.startsWith('multipart/form-data')) {
      return { body: JSON.parse(raw.toString('utf8')), files: [] };
    }
    const form = await new Request(origin, {
      method: 'POST',
      headers: { 'content-type': type },
      body: raw,
    }).formData();
    const found: RecordedFile[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
    let body: any;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
        continue;
      }
      found.push({
        field,
        name: value.name,
        contentType: value.type,
        bytes: new Uint8Array(await value.arrayBuffer()),
      });
    }
    return { body, files: found };
  };

  /** Builds the message object Discord would store for a bot's create/edit request. */
  const materialise = (
    // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
    previous: any,
    // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
    body: any,
    uploaded: readonly RecordedFile[],
    // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
  ): any => {
    const message = { ...previous };
    for (const key of ['content', 'embeds', 'components', 'flags'] as const) {
      if (body?.[key] !== undefined) message[key] = body[key];
    }
    if (body?.message_reference) {
      message.message_reference = { ...body.message_reference, channel_id: message.channel_id };
      message.type = 19;
    }
    if (uploaded.length > 0 || body?.attachments !== undefined) {
      message.attachments = uploaded.map((file) => {
        const id = nextId();
        files.set(id, { bytes: file.bytes, contentType: file.contentType, downloads: 0 });
        const url = `${origin}/attachments/${channelId}/${id}/${file.name}`;
        return {
          id,
          filename: file.name,
          size: file.bytes.length,
          url,
          proxy_url: url,
          content_type: file.contentType,
        };
      });
    }
    message.edited_timestamp =
      previous.edited_timestamp === undefined ? null : new Date().toISOString();
    messages.set(message.id, message);
    return message;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
      const id = url.pathname.split('/')[3] ?? '';
      const file = files.get(id);
      if (!file) return json(res, 404, { message: 'Not found', code: 0 });
      file.downloads += 1;
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': String(file.bytes.length),
      });
      res.end(Buffer.from(file.bytes));
      return;
    }
    if (!url.pathname.startsWith(API_PREFIX)) return json(res, 404, { message: '404', code: 0 });
    const path = decodeURIComponent(url.pathname.slice(API_PREFIX.length));
    const { body, files: uploaded } = await readBody(req);
    const auth = req.headers.authorization;
    const isWebhook = path.startsWith('/webhooks/') || path.startsWith('/interactions/');
    if (!isWebhook && auth !== `Bot ${token}`) {
      record({ method, path, query: url.searchParams, body, files: uploaded });
      return json(res, 401, { message: '401: Unauthorized', code: 0 });
    }
    const parts = path.split('/').filter(Boolean);
    // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
    let message: any;
    let answer: { status: number; body?: unknown } = {
      status: 404,
      body: { message: '404', code: 0 },
    };
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      answer = {
        status: 200,
        body:
          path === '/gateway'
            ? { url: gatewayUrl }
            : {
                url: gatewayUrl,
                shards: 1,
                session_start_limit: {
                  total: 1000,
                  remaining: 999,
                  reset_after: 14_400_000,
                  max_concurrency: 1,
                },
              },
      };
    } else if (method === 'GET' && path === '/users/@me') {
      answer = { status: 200, body: botUser };
    } else if (method === 'PUT' && parts[0] === 'applications' && parts.at(-1) === 'commands') {
      // biome-ignore lint/suspicious/noExplicitAny: loose payloads.
      const commands = (body as any[]).map((command) => ({
        ...command,
        id: nextId(),
        application_id: parts[1],
        version: nextId(),
        ...(parts[2] === 'guilds' ? { guild_id: parts[3] } : {}),
      }));
      answer = { status: 200, body: commands };
    } else if (method === 'POST' && parts[0] === 'channels' && parts[2] === 'typing') {
      answer = { status: 204 };
    } else if (method === 'POST' && parts[0] === 'channels' && parts[2] === 'messages') {
      message = materialise(baseMessage(nextId(), parts[1] ?? '', botUser), body, uploaded);
      answer = { status: 200, body: message };
    } else if (parts[0] === 'channels' && parts[2] === 'messages' && parts[3]) {
      const stored = messages.get(parts[3]);
      if (stored && method === 'GET') answer = { status: 200, body: stored };
      if (stored && method === 'PATCH') {
        message = materialise(stored, body, uploaded);
        answer = { status: 200, body: message };
      }
    } else if (method === 'POST' && parts[0] === 'interactions' && parts[3] === 'callback') {
      answer = { status: 204 };
    } else if (parts[0] === 'webhooks' && parts[2]) {
      const key = `${parts[2]}/${parts[4] ?? ''}`;
      if (method === 'POST' && parts.length === 3) {
        message = materialise(baseMessage(nextId(), channelId, botUser), body, uploaded);
        messages.set(`${parts[2]}/${message.id}`, message);
        answer = { status: 200, body: message };
      } else if (method === 'PATCH' && parts[3] === 'messages') {
        const stored = messages.get(key) ??
          messages.get(`${parts[2]}/${parts[4]}`) ?? {
            ...baseMessage(nextId(), channelId, botUser),
            webhook_id: parts[1],
            application_id: parts[1],
          };
        message = materialise(stored, body, uploaded);
        messages.set(key, message);
        answer = { status: 200, body: message };
      } else if (method === 'GET' && parts[3] === 'messages') {
        const stored = messages.get(key);
        if (stored) answer = { status: 200, body: stored };
      }
    }
    record({ method, path, query: url.searchParams, body, files: uploaded, message });
    json(res, answer.status, answer.body);
  };

  return {
    apiUrl: `${origin}/api`,
    token,
    applicationId,
    guildId,
    channelId,
    voiceChannelId,
    lockedVoiceChannelId,
    voiceStateRequests,
    botUser,
    human,
    get requests() {
      return requests;
    },
    nextId,
    serveAttachment(bytes, meta) {
      const id = nextId();
      const contentType = meta.contentType ?? 'application/octet-stream';
      files.set(id, { bytes, contentType, downloads: 0 });
      const url = `${origin}/attachments/${channelId}/${id}/${encodeURIComponent(meta.filename)}`;
      return {
        id,
        filename: meta.filename,
        size: meta.announcedSize ?? bytes.length,
        url,
        proxy_url: url,
        ...(meta.contentType === undefined ? {} : { content_type: meta.contentType }),
        ...(meta.durationS === undefined ? {} : { duration_secs: meta.durationS }),
        ...(meta.waveform === undefined ? {} : { waveform: meta.waveform }),
      };
    },
    downloads(attachment) {
      return files.get(attachment.id)?.downloads ?? 0;
    },
    dispatch(event, data) {
      for (const socket of sockets) dispatchTo(socket, event, data);
    },
    setVoiceState(user, channel) {
      for (const socket of sockets)
        dispatchTo(socket, 'VOICE_STATE_UPDATE', voiceState(user, channel));
    },
    waitForRequest(match, waitOptions = {}) {
      const { after = 0, timeoutMs = 90_000 } = waitOptions;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = requests.slice(after).find(match);
          if (!found) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`fake Discord: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    identified: () => identifiedPromise,
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
