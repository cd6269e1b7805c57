/**
 * `/listen` and `/stop` through discord.js against the local fake of Discord (REST + gateway,
 * now with voice channels and voice-state updates): refusals, a full listen whose voice packets
 * come from a fake receiver (real Opus of a catalogue track) and whose answer names that track,
 * continuous mode ended by /stop and by the member leaving, and the real `@discordjs/voice`
 * connector asking the gateway to join and leaving cleanly when no voice server answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordBotOptions, startDiscordBot } from '../../bots/discord/index.js';
import { decodeAction } from '../../bots/shared/actions.js';
import type { ChatService, RunningAdapter } from '../../bots/shared/types.js';
import { demoTrack } from '../helpers/paths.js';
import { BOT_TEST_TRACKS, type BotTestEngine, openBotTestEngine } from './engine.js';
import { type FakeDiscord, type RecordedRequest, startFakeDiscord } from './fakes/discord-api.js';
import { type FakeVoice, fakeVoice, opusPacketsOf } from './fakes/voice.js';

// biome-ignore lint/suspicious/noExplicitAny: Discord payloads are read loosely.
type Payload = any;

const PERMISSIONS = '2248473465835073';

/** A `/listen` or `/stop` INTERACTION_CREATE from the human in the text channel. */
function command(fake: FakeDiscord, name: string, options: Payload[] = []): Payload {
  const id = fake.nextId();
  const member = {
    user: fake.human,
    roles: [],
    permissions: PERMISSIONS,
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
  };
  const withUser = options.some((o) => o.type === 6);
  return {
    id,
    application_id: fake.applicationId,
    type: 2,
    token: `interaction-token-${id}`,
    version: 1,
    guild_id: fake.guildId,
    channel_id: fake.channelId,
    channel: { id: fake.channelId, type: 0, guild_id: fake.guildId, name: 'music', position: 0 },
    member,
    app_permissions: PERMISSIONS,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': fake.guildId },
    context: 0,
    attachment_size_limit: 26_214_400,
    data: {
      id: fake.nextId(),
      name,
      type: 1,
      options,
      ...(withUser
        ? {
            resolved: {
              users: { [fake.human.id]: fake.human },
              members: { [fake.human.id]: { ...member, user: undefined } },
            },
          }
        : {}),
    },
  };
}

/** Text a message shows: content, embed title, description and fields. */
function textOf(body: Payload): string {
  const parts = [body?.content ?? ''];
  for (const embed of body?.embeds ?? []) {
    parts.push(embed.title ?? '', embed.description ?? '');
    for (const field of embed.fields ?? []) parts.push(field.name, field.value);
  }
  return parts.filter(Boolean).join('\n');
}

interface Rig {
  readonly fake: FakeDiscord;
  readonly adapter: RunningAdapter;
  readonly logs: string[];
  /** Requests to this interaction's callback and webhook (reply, edits, follow-ups). */
  next(payload: Payload, match: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
  close(): Promise<void>;
}

async function startRig(
  service: ChatService,
  voice: DiscordBotOptions['voice'],
): Promise<Rig & { fake: FakeDiscord }> {
  const fake = await startFakeDiscord();
  const logs: string[] = [];
  const adapter = await startDiscordBot(service, {
    token: fake.token,
    apiUrl: fake.apiUrl,
    guildId: fake.guildId,
    log: (line) => logs.push(line),
    ...(voice === undefined ? {} : { voice }),
  });
  return {
    fake,
    adapter,
    logs,
    next: (payload, match) =>
      fake.waitForRequest(
        (r) =>
          (r.path.startsWith(`/interactions/${payload.id}/`) ||
            r.path.startsWith(`/webhooks/${fake.applicationId}/${payload.token}`)) &&
          match(r),
        { timeoutMs: 60_000 },
      ),
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

const isCallback = (r: RecordedRequest) => r.path.endsWith('/callback');
const isEdit = (r: RecordedRequest) => r.method === 'PATCH';
const isFollowUp = (r: RecordedRequest) => r.method === 'POST' && !r.path.endsWith('/callback');

describe('discord /listen through the fake gateway (voice UDP faked)', () => {
  let engine: BotTestEngine;
  let rig: Rig;
  let voice: FakeVoice;
  let packets: Buffer[];

  beforeAll(async () => {
    engine = await openBotTestEngine({ rateLimit: { clips: 1000, perS: 60 } });
    packets = await opusPacketsOf(demoTrack(BOT_TEST_TRACKS[0]), 10, 15);
    voice = fakeVoice();
    rig = await startRig(engine.service, {
      connector: voice.connector,
      session: { silenceMs: 500, waitForSoundMs: 60_000 },
    });
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
    await engine?.close();
  });

  it('registers /listen (seconds, user, mode) and /stop for servers only', () => {
    const put = rig.fake.requests.find((r) => r.method === 'PUT');
    const listen = put?.body.find((c: Payload) => c.name === 'listen');
    expect(listen.contexts).toEqual([0]);
    expect(listen.options.map((o: Payload) => [o.name, o.type])).toEqual([
      ['seconds', 4],
      ['user', 6],
      ['mode', 3],
    ]);
    expect(listen.options[0]).toMatchObject({ min_value: 5, max_value: 60 });
    expect(put?.body.find((c: Payload) => c.name === 'stop').contexts).toEqual([0]);
  });

  it('refuses privately when the caller is in no voice channel', async () => {
    rig.fake.setVoiceState(rig.fake.human, null);
    const payload = command(rig.fake, 'listen');
    rig.fake.dispatch('INTERACTION_CREATE', payload);
    const callback = await rig.next(payload, isCallback);
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags & 64).toBe(64);
    expect(callback.body.data.content).toMatch(/Join a voice channel first/);
    expect(voice.joins).toHaveLength(0);
  });

  it('refuses, naming the permission, where the bot may not connect', async () => {
    rig.fake.setVoiceState(rig.fake.human, rig.fake.lockedVoiceChannelId);
    const payload = command(rig.fake, 'listen');
    rig.fake.dispatch('INTERACTION_CREATE', payload);
    const callback = await rig.next(payload, isCallback);
    expect(callback.body.data.content).toMatch(/Studio.*missing the Connect permission/);
    expect(voice.joins).toHaveLength(0);
  });

  it('joins, announces, hears 15 s of a catalogue track and answers with it and five more', async () => {
    rig.fake.setVoiceState(rig.fake.human, rig.fake.voiceChannelId);
    const payload = command(rig.fake, 'listen', [
      { name: 'seconds', type: 4, value: 15 },
      { name: 'user', type: 6, value: rig.fake.human.id },
    ]);
    const joined = voice.joined();
    rig.fake.dispatch('INTERACTION_CREATE', payload);
    const callback = await rig.next(payload, isCallback);
    expect(callback.body.type).toBe(5); // deferred: joining can take longer than 3 s
    await joined;
    expect(voice.joins.at(-1)).toEqual({
      guildId: rig.fake.guildId,
      channelId: rig.fake.voiceChannelId,
    });
    const announced = await rig.next(payload, isEdit);
    expect(announced.body.content).toMatch(/Listening to Listener in 🔊 Lounge for up to 15 s/);

    await voice.receiver.play(rig.fake.human.id, packets);
    const answer = await rig.next(payload, isFollowUp);
    const text = textOf(answer.body);
    expect(text).toMatch(/Heard 15 s of Listener in 🔊 Lounge/);
    expect(answer.body.embeds[0].title).toContain(engine.catalogueTrackTitle);
    expect(answer.body.embeds[0].fields).toHaveLength(5);
    const ids = answer.body.components.flatMap((row: Payload) =>
      row.components.map((c: Payload) => decodeAction(c.custom_id)),
    );
    expect(ids.filter(Boolean)).toHaveLength(15);
    expect(answer.files.some((f) => f.name === 'spectrogram.png')).toBe(true);
    await waitFor(() => voice.leaves === 1);
  });

  it('continuous: /stop ends it with a closing line; /stop again says nothing runs', async () => {
    const leavesBefore = voice.leaves;
    const payload = command(rig.fake, 'listen', [{ name: 'mode', type: 3, value: 'continuous' }]);
    rig.fake.dispatch('INTERACTION_CREATE', payload);
    const announced = await rig.next(payload, isEdit);
    expect(announced.body.content).toMatch(/when the music changes \(at most every 30 s\)/);

    const again = command(rig.fake, 'listen');
    rig.fake.dispatch('INTERACTION_CREATE', again);
    const busy = await rig.next(again, isCallback);
    expect(busy.body.data.content).toMatch(/already listening in 🔊 Lounge/);

    const stop = command(rig.fake, 'stop');
    rig.fake.dispatch('INTERACTION_CREATE', stop);
    expect((await rig.next(stop, isCallback)).body.data.content).toBe('Stopping…');
    const closing = await rig.next(payload, isFollowUp);
    expect(closing.body.content).toBe('Stopped listening in 🔊 Lounge.');
    await waitFor(() => voice.leaves === leavesBefore + 1);

    const nothing = command(rig.fake, 'stop');
    rig.fake.dispatch('INTERACTION_CREATE', nothing);
    expect((await rig.next(nothing, isCallback)).body.data.content).toMatch(/not listening/);
  });

  it('ends when the chosen member leaves the voice channel', async () => {
    const payload = command(rig.fake, 'listen', [
      { name: 'user', type: 6, value: rig.fake.human.id },
      { name: 'mode', type: 3, value: 'continuous' },
    ]);
    rig.fake.dispatch('INTERACTION_CREATE', payload);
    await rig.next(payload, isEdit);
    rig.fake.setVoiceState(rig.fake.human, null);
    const closing = await rig.next(payload, isFollowUp);
    expect(closing.body.content).toBe('Listener left 🔊 Lounge, so I stopped listening.');
  });
});

describe('discord /listen with the real @discordjs/voice connector', () => {
  it('asks the gateway to join undeafened, and leaves cleanly when no voice server answers', async () => {
    const stub: ChatService = {
      handleClip: async () => ({ kind: 'error', text: 'unused' }),
      vote: async () => ({ kind: 'ack', text: '' }),
      forget: async () => '',
      helpText: () => '',
      trackAudioPath: async () => undefined,
      claimOnce: async () => true,
      drain: async () => undefined,
    };
    const rig = await startRig(stub, { session: { joinTimeoutMs: 1_500 } });
    try {
      rig.fake.setVoiceState(rig.fake.human, rig.fake.voiceChannelId);
      const payload = command(rig.fake, 'listen');
      rig.fake.dispatch('INTERACTION_CREATE', payload);
      const failed = await rig.next(payload, isEdit);
      expect(failed.body.content).toMatch(/couldn't connect to 🔊 Lounge in time/);
      await waitFor(() => rig.fake.voiceStateRequests.length >= 2);
      const [join, leave] = rig.fake.voiceStateRequests;
      expect(join).toMatchObject({
        guild_id: rig.fake.guildId,
        channel_id: rig.fake.voiceChannelId,
        self_deaf: false,
        self_mute: true,
      });
      expect(leave).toMatchObject({ guild_id: rig.fake.guildId, channel_id: null });
      expect(rig.logs.join('\n')).toMatch(/joining → idle/);
    } finally {
      await rig.close();
    }
  });
});

/** Polls `condition` every 20 ms until it holds (the test's own timeout bounds it). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
