/**
 * The Discord adapter driven through discord.js for real against the local fake of Discord
 * (REST + gateway): the shared chat contract, then what only Discord has — command registration,
 * `/similar` with an attachment option (deferred, then edited), the "Find similar" message
 * command, size refusal before download, guild/DM etiquette and start-up errors.
 */
import { readFile } from 'node:fs/promises';
import { parseFile } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordBotOptions, startDiscordBot } from '../../bots/discord/index.js';
import { decodeAction } from '../../bots/shared/actions.js';
import type {
  ChatAnswer,
  ChatService,
  ClipKind,
  RunningAdapter,
  Vote,
} from '../../bots/shared/types.js';
import { hasCode } from '../../core/util/errors.js';
import { type AdapterHarness, adapterContract, type ObservedReply } from './contract.js';
import { type BotTestEngine, openBotTestEngine } from './engine.js';
import {
  type FakeAttachment,
  type FakeDiscord,
  type RecordedFile,
  type RecordedRequest,
  startFakeDiscord,
} from './fakes/discord-api.js';

const VOICE_MESSAGE_FLAG = 1 << 13;
const PERMISSIONS = '2248473465835073';

// biome-ignore lint/suspicious/noExplicitAny: Discord payloads are read loosely.
type Payload = any;

/** What a reply showed, read the way a Discord client shows it. */
function observe(body: Payload, files: readonly RecordedFile[]): ObservedReply {
  const embeds: Payload[] = body?.embeds ?? [];
  const texts: string[] = [body?.content ?? ''];
  for (const embed of embeds) {
    texts.push(embed.title ?? '', embed.description ?? '', embed.footer?.text ?? '');
    for (const field of embed.fields ?? []) texts.push(field.name, field.value);
  }
  const resultTrackIds: number[] = [];
  for (const row of body?.components ?? []) {
    for (const component of row.components ?? []) {
      const action = typeof component.custom_id === 'string' && decodeAction(component.custom_id);
      if (action && action.vote === 'up') resultTrackIds.push(action.trackId);
    }
  }
  const image =
    files.some((f) => f.name.endsWith('.png')) &&
    embeds.some((e) => String(e.image?.url ?? '').startsWith('attachment://'));
  return { text: texts.filter(Boolean).join('\n'), resultTrackIds, image };
}

/** A Discord user message in the fake guild's channel (or a DM when `dmChannelId` is given). */
function userMessage(
  fake: FakeDiscord,
  options: {
    attachments?: FakeAttachment[];
    voice?: boolean;
    content?: string;
    mentionBot?: boolean;
    dmChannelId?: string;
  },
): Payload {
  const now = new Date().toISOString();
  return {
    id: fake.nextId(),
    channel_id: options.dmChannelId ?? fake.channelId,
    channel_type: options.dmChannelId ? 1 : 0,
    ...(options.dmChannelId
      ? {}
      : {
          guild_id: fake.guildId,
          member: { roles: [], joined_at: now, deaf: false, mute: false, flags: 0 },
        }),
    author: fake.human,
    content: options.content ?? '',
    timestamp: now,
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: options.mentionBot ? [fake.botUser] : [],
    mention_roles: [],
    attachments: options.attachments ?? [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: options.voice ? VOICE_MESSAGE_FLAG : 0,
    nonce: fake.nextId(),
  };
}

/** An INTERACTION_CREATE payload from the human in the fake guild's channel. */
function interaction(fake: FakeDiscord, type: 2 | 3, data: Payload, message?: Payload): Payload {
  const id = fake.nextId();
  return {
    id,
    application_id: fake.applicationId,
    type,
    token: `interaction-token-${id}`,
    version: 1,
    guild_id: fake.guildId,
    channel_id: fake.channelId,
    channel: {
      id: fake.channelId,
      type: 0,
      guild_id: fake.guildId,
      name: 'music',
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    },
    member: {
      user: fake.human,
      roles: [],
      permissions: PERMISSIONS,
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    },
    app_permissions: PERMISSIONS,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': fake.guildId },
    context: 0,
    attachment_size_limit: 26_214_400,
    data,
    ...(message ? { message } : {}),
  };
}

/** A serialised voice-message waveform: 256 bytes, base64. */
const WAVEFORM = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256)).toString(
  'base64',
);

/** Serves a file as Discord would attach it; voice messages get duration and waveform. */
async function attach(
  fake: FakeDiscord,
  filePath: string,
  options: { kind?: ClipKind; fileName?: string; mimeType?: string; announcedSize?: number } = {},
): Promise<{ attachment: FakeAttachment; voice: boolean }> {
  const voice = (options.kind ?? 'voice') === 'voice';
  const bytes = new Uint8Array(await readFile(filePath));
  let durationS: number | undefined;
  if (voice) {
    const meta = await parseFile(filePath, { duration: true }).catch(() => undefined);
    durationS = meta?.format.duration;
  }
  const attachment = fake.serveAttachment(bytes, {
    filename: voice ? 'voice-message.ogg' : (options.fileName ?? 'clip.ogg'),
    contentType: options.mimeType ?? 'audio/ogg',
    ...(durationS === undefined ? {} : { durationS, waveform: WAVEFORM }),
    ...(options.announcedSize === undefined ? {} : { announcedSize: options.announcedSize }),
  });
  return { attachment, voice };
}

/** The fake, the running adapter, and helpers that wait for the bot's answers. */
interface DiscordRig {
  readonly fake: FakeDiscord;
  readonly adapter: RunningAdapter;
  readonly logs: string[];
  /** Dispatches a user message and resolves with the bot's reply to it. */
  messageAndReply(message: Payload): Promise<{ request: RecordedRequest; reply: ObservedReply }>;
  /** Dispatches an interaction and resolves with its callback and finished answer. */
  interactAndAnswer(payload: Payload): Promise<{
    callback: RecordedRequest;
    done: RecordedRequest;
    reply: ObservedReply;
  }>;
  close(): Promise<void>;
}

async function startRig(
  service: ChatService,
  options: Partial<DiscordBotOptions> = {},
): Promise<DiscordRig> {
  const fake = await startFakeDiscord();
  const logs: string[] = [];
  const adapter = await startDiscordBot(service, {
    token: fake.token,
    apiUrl: fake.apiUrl,
    guildId: fake.guildId,
    log: (line) => logs.push(line),
    ...options,
  });
  return {
    fake,
    adapter,
    logs,
    async messageAndReply(message) {
      const after = fake.requests.length;
      fake.dispatch('MESSAGE_CREATE', message);
      const request = await fake.waitForRequest(
        (r) =>
          r.method === 'POST' &&
          r.path === `/channels/${message.channel_id}/messages` &&
          r.body?.message_reference?.message_id === message.id,
        { after },
      );
      return { request, reply: observe(request.body, request.files) };
    },
    async interactAndAnswer(payload) {
      const after = fake.requests.length;
      fake.dispatch('INTERACTION_CREATE', payload);
      const callback = await fake.waitForRequest(
        (r) =>
          r.method === 'POST' && r.path === `/interactions/${payload.id}/${payload.token}/callback`,
        { after },
      );
      if (callback.body?.type === 4 || callback.body?.type === 7) {
        return { callback, done: callback, reply: observe(callback.body.data, callback.files) };
      }
      const done = await fake.waitForRequest(
        (r) =>
          (r.method === 'PATCH' || r.method === 'POST') &&
          r.path.startsWith(`/webhooks/${fake.applicationId}/${payload.token}`),
        { after },
      );
      return { callback, done, reply: observe(done.body, done.files) };
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

adapterContract('discord adapter', async (service): Promise<AdapterHarness> => {
  const rig = await startRig(service);
  const { fake } = rig;
  let lastResults: Payload | undefined;
  const remember = (message: Payload, reply: ObservedReply): ObservedReply => {
    if (reply.resultTrackIds.length > 0) lastResults = message;
    return reply;
  };
  return {
    platform: 'discord',
    showsImages: true,
    async sendClip(filePath, options = {}) {
      const { attachment, voice } = await attach(fake, filePath, options);
      const { request, reply } = await rig.messageAndReply(
        userMessage(fake, { attachments: [attachment], voice }),
      );
      return remember(request.message, reply);
    },
    async press(trackId: number, vote: Vote) {
      if (!lastResults) throw new Error('no results message to press a button on');
      const customId = `v:${vote}:${trackId}`;
      const { done, reply } = await rig.interactAndAnswer(
        interaction(fake, 3, { custom_id: customId, component_type: 2 }, lastResults),
      );
      return remember(done.message, reply);
    },
    async command(name) {
      const { reply } = await rig.interactAndAnswer(
        interaction(fake, 2, { id: fake.nextId(), name, type: 1 }),
      );
      return reply;
    },
    close: () => rig.close(),
  };
});

describe('discord adapter: Discord specifics', () => {
  let engine: BotTestEngine;
  let rig: DiscordRig;

  beforeAll(async () => {
    engine = await openBotTestEngine({ rateLimit: { clips: 1000, perS: 60 } });
    rig = await startRig(engine.service);
  });

  afterAll(async () => {
    await rig?.close();
    await engine?.close();
  });

  it('registers /similar, /help, /forget, /mix, /listen, /stop and the "Find similar" command', () => {
    const put = rig.fake.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe(
      `/applications/${rig.fake.applicationId}/guilds/${rig.fake.guildId}/commands`,
    );
    const commands: Payload[] = put?.body ?? [];
    expect(commands.map((c) => c.name).sort()).toEqual(
      ['Find similar', 'forget', 'help', 'listen', 'mix', 'similar', 'stop'].sort(),
    );
    const similar = commands.find((c) => c.name === 'similar');
    expect(similar.options).toEqual([
      expect.objectContaining({ name: 'clip', type: 11, required: true }),
      expect.objectContaining({ name: 'genre', type: 3, required: false }),
      expect.objectContaining({ name: 'not_genre', type: 3, required: false }),
      expect.objectContaining({ name: 'min_duration', type: 3, required: false }),
      expect.objectContaining({ name: 'max_duration', type: 3, required: false }),
    ]);
    expect(commands.find((c) => c.name === 'Find similar').type).toBe(3);
    expect(rig.adapter.description).toContain(rig.fake.applicationId);
    expect(rig.adapter.description).not.toContain(rig.fake.token);
  });

  it('/similar with an attachment defers at once, then edits in five results', async () => {
    const { attachment } = await attach(rig.fake, engine.voiceNoteOfCatalogueTrack, {
      kind: 'audio',
      fileName: 'clip.ogg',
    });
    const { callback, done, reply } = await rig.interactAndAnswer(
      interaction(rig.fake, 2, {
        id: rig.fake.nextId(),
        name: 'similar',
        type: 1,
        options: [{ name: 'clip', type: 11, value: attachment.id }],
        resolved: { attachments: { [attachment.id]: attachment } },
      }),
    );
    expect(callback.body.type).toBe(5); // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    expect(rig.fake.requests.indexOf(callback)).toBeLessThan(rig.fake.requests.indexOf(done));
    expect(done.method).toBe('PATCH');
    expect(done.path).toMatch(/\/messages\/@original$/);
    expect(reply.resultTrackIds).toHaveLength(5);
    expect(reply.image).toBe(true);
    const embed = done.body.embeds[0];
    expect(embed.title).toBe(`This sounds like ${embed.title.slice('This sounds like '.length)}`);
    expect(embed.title).toContain(engine.catalogueTrackTitle);
    expect(embed.fields).toHaveLength(5);
    expect(embed.fields[0].name).toMatch(/^1\. /);
    expect(embed.fields[0].value).toMatch(/similarity -?\d\.\d\d · /);
    expect(done.body.components).toHaveLength(5);
    // Three buttons per result; the last row also holds "🗺 Show on the map".
    expect(done.body.components.map((row: Payload) => row.components.length)).toEqual([
      3, 3, 3, 3, 4,
    ]);
  });

  it('"Find similar" on a voice message answers with five results', async () => {
    const { attachment } = await attach(rig.fake, engine.voiceNoteOfCatalogueTrack);
    const target = userMessage(rig.fake, { attachments: [attachment], voice: true });
    const { callback, reply } = await rig.interactAndAnswer(
      interaction(rig.fake, 2, {
        id: rig.fake.nextId(),
        name: 'Find similar',
        type: 3,
        target_id: target.id,
        resolved: { messages: { [target.id]: target } },
      }),
    );
    expect(callback.body.type).toBe(5);
    expect(reply.text).toContain(engine.catalogueTrackTitle);
    expect(reply.resultTrackIds).toHaveLength(5);
  });

  it('"Find similar" on a message without audio answers privately', async () => {
    const target = userMessage(rig.fake, { content: 'just words' });
    const { callback, reply } = await rig.interactAndAnswer(
      interaction(rig.fake, 2, {
        id: rig.fake.nextId(),
        name: 'Find similar',
        type: 3,
        target_id: target.id,
        resolved: { messages: { [target.id]: target } },
      }),
    );
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags & 64).toBe(64); // ephemeral
    expect(reply.text).toMatch(/no voice message or audio/);
  });

  it('refuses a too-big attachment without downloading it, after showing "typing…"', async () => {
    const { attachment } = await attach(rig.fake, engine.voiceNoteOfCatalogueTrack, {
      kind: 'audio',
      fileName: 'concert.ogg',
      announcedSize: 80 * 1024 * 1024,
    });
    const message = userMessage(rig.fake, { attachments: [attachment] });
    const after = rig.fake.requests.length;
    const { request, reply } = await rig.messageAndReply(message);
    expect(reply.text).toMatch(/too big/i);
    expect(reply.resultTrackIds).toHaveLength(0);
    expect(rig.fake.downloads(attachment)).toBe(0);
    const typing = rig.fake.requests
      .slice(after)
      .findIndex((r) => r.path === `/channels/${rig.fake.channelId}/typing`);
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(rig.fake.requests.slice(after).indexOf(request));
  });

  it('ignores non-audio uploads in a server unless mentioned; a DM gets a hint', async () => {
    const picture = rig.fake.serveAttachment(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), {
      filename: 'cat.png',
      contentType: 'image/png',
    });
    const ignored = userMessage(rig.fake, { attachments: [picture], content: 'look at my cat' });
    rig.fake.dispatch('MESSAGE_CREATE', ignored);
    const mention = userMessage(rig.fake, {
      content: `<@${rig.fake.botUser.id}> what do you do?`,
      mentionBot: true,
    });
    const hinted = await rig.messageAndReply(mention);
    expect(hinted.reply.text).toMatch(/voice/i);
    const dm = await rig.messageAndReply(
      userMessage(rig.fake, { content: 'hello', dmChannelId: rig.fake.nextId() }),
    );
    expect(dm.reply.text).toMatch(/voice/i);
    // Events are handled in order: the picture came first and got no reply.
    expect(
      rig.fake.requests.some((r) => r.body?.message_reference?.message_id === ignored.id),
    ).toBe(false);
    expect(rig.fake.downloads(picture)).toBe(0);
  });

  it('answers a DM voice message in the DM', async () => {
    const dmChannelId = rig.fake.nextId();
    const { attachment, voice } = await attach(rig.fake, engine.voiceNoteOfCatalogueTrack);
    const { request, reply } = await rig.messageAndReply(
      userMessage(rig.fake, { attachments: [attachment], voice, dmChannelId }),
    );
    expect(request.path).toBe(`/channels/${dmChannelId}/messages`);
    expect(reply.resultTrackIds).toHaveLength(5);
  });

  it('answers a button it does not know privately', async () => {
    const { callback, reply } = await rig.interactAndAnswer(
      interaction(
        rig.fake,
        3,
        { custom_id: 'someone-else:42', component_type: 2 },
        {
          ...userMessage(rig.fake, {}),
          author: rig.fake.botUser,
        },
      ),
    );
    expect(callback.body.data.flags & 64).toBe(64);
    expect(reply.text).toMatch(/no longer active/);
  });
});

/** A service that answers instantly, or throws (which a real one never does). */
function stubService(handle: () => Promise<ChatAnswer>): ChatService {
  return {
    handleClip: handle,
    vote: async () => ({ kind: 'ack', text: 'Noted.' }),
    forget: async () => 'Forgotten.',
    helpText: () => 'Send a voice message. /forget clears votes.',
    trackAudioPath: async () => undefined,
    claimOnce: async () => true,
    drain: async () => undefined,
  };
}

describe('discord adapter: failures', () => {
  it('answers politely when the service breaks, without a stack trace, and keeps going', async () => {
    let calls = 0;
    const rig = await startRig(
      stubService(async () => {
        calls += 1;
        if (calls === 1) throw new Error('kaboom at Object.<anonymous> (engine.ts:1:1)');
        return { kind: 'error', text: 'Second time: a polite error.' };
      }),
    );
    try {
      const clip = rig.fake.serveAttachment(new Uint8Array(10), {
        filename: 'a.mp3',
        contentType: 'audio/mpeg',
      });
      const first = await rig.messageAndReply(userMessage(rig.fake, { attachments: [clip] }));
      expect(first.reply.text).toMatch(/Sorry, something went wrong/);
      expect(first.reply.text).not.toMatch(/kaboom|at \w+/);
      expect(rig.logs.join('\n')).toMatch(/kaboom/);
      expect(rig.logs.join('\n')).not.toContain(rig.fake.token);
      const second = await rig.messageAndReply(userMessage(rig.fake, { attachments: [clip] }));
      expect(second.reply.text).toBe('Second time: a polite error.');
    } finally {
      await rig.close();
    }
  });

  it('refuses a wrong token at start with E_CONFIG naming DISCORD_BOT_TOKEN', async () => {
    const fake = await startFakeDiscord();
    try {
      const error = await startDiscordBot(
        stubService(async () => ({ kind: 'busy', text: '' })),
        {
          token: 'not-the-token',
          apiUrl: fake.apiUrl,
          log: () => undefined,
        },
      ).catch((e: unknown) => e);
      expect(hasCode(error, 'E_CONFIG')).toBe(true);
      expect(String((error as Error).message)).toContain('DISCORD_BOT_TOKEN');
      expect(String((error as Error).message)).not.toContain('not-the-token');
    } finally {
      await fake.close();
    }
  });

  it('explains a refused Message Content intent (gateway close 4014)', async () => {
    const fake = await startFakeDiscord({ identifyCloseCode: 4014 });
    try {
      const error = await startDiscordBot(
        stubService(async () => ({ kind: 'busy', text: '' })),
        {
          token: fake.token,
          apiUrl: fake.apiUrl,
          log: () => undefined,
          connectTimeoutMs: 20_000,
        },
      ).catch((e: unknown) => e);
      expect(hasCode(error, 'E_CONFIG')).toBe(true);
      expect(String((error as Error).message)).toMatch(/Message Content intent/);
    } finally {
      await fake.close();
    }
  });
});
