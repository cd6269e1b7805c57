/**
 * The /listen state machine with the voice connection faked: the happy path's states, join
 * failure and join timeout, no sound, the member leaving, /stop while listening and while
 * analysing, a lost connection, an analysis deadline, continuous mode's change detection and
 * rate limit (an injected clock, no real 30 s waits) and its idle timeout. Then the real
 * `@discordjs/voice` connector over a fake VoiceConnection (Ready, abort, reconnect, drop), and
 * the permission check.
 */
import { EventEmitter } from 'node:events';
import { VoiceConnectionStatus } from '@discordjs/voice';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { type CapturedAudio, captureVoice } from '../../bots/discord/voice/capture.js';
import { createVoiceConnector, type VoiceTarget } from '../../bots/discord/voice/connection.js';
import { DISCORD_SAMPLE_RATE } from '../../bots/discord/voice/decoder.js';
import { checkVoiceAccess } from '../../bots/discord/voice/permissions.js';
import {
  ListenSession,
  type SessionDeps,
  type SessionMessage,
  type SessionOptions,
} from '../../bots/discord/voice/session.js';
import type { ChatAnswer } from '../../bots/shared/types.js';
import { FakeReceiver, fakeVoice } from './fakes/voice.js';

const TARGET: VoiceTarget = {
  guildId: '1300000000000000010',
  channelId: '1300000000000000011',
  adapterCreator: () => ({ sendPayload: () => true, destroy: () => undefined }),
};
const MEMBER = '1300000000000000012';

/** A results answer whose best recommendation (or match) is `trackId`. */
function results(trackId: number, match = false): ChatAnswer {
  const item = (id: number, rank: number) => ({
    rank,
    trackId: id,
    label: `Track ${id}`,
    title: `Track ${id}`,
    artist: null,
    similarity: 0.9,
    confidence: 0.8,
    reason: 'similar timbre',
  });
  return {
    kind: 'results',
    answerId: `a${trackId}`,
    ...(match ? { match: { trackId, label: `Track ${trackId}`, score: 0.5 } } : {}),
    summary: '120 BPM',
    results: [item(match ? trackId + 100 : trackId, 1), item(trackId + 200, 2)],
    feedbackApplied: false,
  };
}

/** Captured audio of `seconds` (a 440 Hz tone; the stub analysis never reads it). */
function audioOf(seconds: number): CapturedAudio {
  const pcm = new Float32Array(Math.round(seconds * DISCORD_SAMPLE_RATE));
  for (let i = 0; i < pcm.length; i++) pcm[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 48_000);
  return {
    pcm,
    sampleRate: DISCORD_SAMPLE_RATE,
    seconds,
    speakers: [MEMBER],
    endedBy: 'limit',
    lastPacketAt: 0,
  };
}

/** A session over a fake voice connection; records states and posts. */
function rig(
  options: Partial<SessionOptions> = {},
  deps: Partial<SessionDeps> = {},
  voice = fakeVoice(),
) {
  const states: string[] = ['idle'];
  const posts: SessionMessage[] = [];
  const session = new ListenSession(
    { target: TARGET, mode: 'once', seconds: 5, ...options },
    {
      connect: voice.connector,
      capture: async () => audioOf(options.seconds ?? 5),
      analyse: async () => results(7, true),
      post: async (message) => {
        posts.push(message);
      },
      ...deps,
    },
  );
  session.on('state', (_from: string, to: string) => states.push(to));
  return { session, states, posts, voice };
}

/** Resolves when the session enters `status`. */
function reaches(session: ListenSession, status: string): Promise<void> {
  return new Promise((resolve) => {
    if (session.status === status) resolve();
    const on = (_from: string, to: string) => {
      if (to !== status) return;
      session.off('state', on);
      resolve();
    };
    session.on('state', on);
  });
}

describe('ListenSession (voice connection faked)', () => {
  it('once: idle → joining → listening → analysing → idle, announces, answers, leaves', async () => {
    const { session, states, posts, voice } = rig();
    expect(session.status).toBe('idle');
    const outcome = await session.run();
    expect(outcome).toEqual({ reason: 'answered' });
    expect(states).toEqual(['idle', 'joining', 'listening', 'analysing', 'idle']);
    expect(posts.map((p) => p.kind)).toEqual(['listening', 'answer']);
    const answer = posts[1];
    expect(answer?.kind === 'answer' && answer.heardS).toBe(5);
    expect(voice.joins).toEqual([{ guildId: TARGET.guildId, channelId: TARGET.channelId }]);
    expect(voice.leaves).toBe(1);
    await expect(session.run()).rejects.toThrow(/twice/);
  });

  it('a join failure ends in idle with join-failed, nothing posted', async () => {
    const logs: string[] = [];
    const { session, states, posts } = rig({}, { log: (l) => logs.push(l) }, fakeVoice('fail'));
    expect(await session.run()).toEqual({ reason: 'join-failed', timedOut: false });
    expect(states).toEqual(['idle', 'joining', 'idle']);
    expect(posts).toEqual([]);
    expect(logs.join('\n')).toMatch(/refused/);
  });

  it('a join that never gets Ready is abandoned at its deadline', async () => {
    const voice = fakeVoice('hang');
    const { session, states } = rig({ joinTimeoutMs: 50 }, {}, voice);
    expect(await session.run()).toEqual({ reason: 'join-failed', timedOut: true });
    expect(states.at(-1)).toBe('idle');
  });

  it('/stop while joining ends as stopped, not as a failure', async () => {
    const voice = fakeVoice('hang');
    const { session } = rig({ joinTimeoutMs: 60_000 }, {}, voice);
    const joined = voice.joined();
    const run = session.run();
    await joined;
    session.stop();
    expect(await run).toEqual({ reason: 'stopped' });
  });

  it('no sound before the deadline: no-audio, channel left', async () => {
    const voice = fakeVoice();
    const { session, posts } = rig(
      { waitForSoundMs: 50, seconds: 0.05 },
      { capture: captureVoice },
      voice,
    );
    const outcome = await session.run();
    expect(outcome).toEqual({ reason: 'no-audio', heardS: 0 });
    expect(posts.map((p) => p.kind)).toEqual(['listening']);
    expect(voice.leaves).toBe(1);
  });

  it('the member leaving ends the capture (user-left), no answer', async () => {
    const voice = fakeVoice();
    let analysed = 0;
    const { session, posts } = rig(
      { userId: MEMBER, seconds: 15 },
      {
        capture: captureVoice,
        analyse: async () => {
          analysed += 1;
          return results(1);
        },
      },
      voice,
    );
    const run = session.run();
    await reaches(session, 'listening');
    session.stop('user-left'); // what voiceStateUpdate does when the member leaves
    expect(await run).toEqual({ reason: 'user-left' });
    expect(analysed).toBe(0);
    expect(posts.map((p) => p.kind)).toEqual(['listening']);
    expect(voice.leaves).toBe(1);
  });

  it('/stop while analysing: stopped, the late answer is not posted', async () => {
    let release: (answer: ChatAnswer) => void = () => undefined;
    const { session, posts, states } = rig(
      {},
      { analyse: () => new Promise<ChatAnswer>((resolve) => (release = resolve)) },
    );
    const run = session.run();
    await reaches(session, 'analysing');
    session.stop();
    expect(await run).toEqual({ reason: 'stopped' });
    release(results(1));
    expect(posts.map((p) => p.kind)).toEqual(['listening']);
    expect(states.at(-1)).toBe('idle');
  });

  it('a connection that drops for good ends as connection-lost', async () => {
    const voice = fakeVoice();
    const { session } = rig({ seconds: 15, userId: MEMBER }, { capture: captureVoice }, voice);
    const run = session.run();
    await reaches(session, 'listening');
    voice.dropConnection();
    expect(await run).toEqual({ reason: 'connection-lost' });
  });

  it('an analysis over its deadline ends as analysis-timeout', async () => {
    const { session } = rig(
      { analyseTimeoutMs: 50 },
      { analyse: () => new Promise<ChatAnswer>(() => undefined) },
    );
    expect(await session.run()).toEqual({ reason: 'analysis-timeout' });
  });

  it('a failing post ends in idle with error and the channel left', async () => {
    const voice = fakeVoice();
    const { session, states } = rig(
      {},
      {
        post: async () => {
          throw new Error('Missing Access');
        },
        log: () => undefined,
      },
      voice,
    );
    expect(await session.run()).toEqual({ reason: 'error' });
    expect(states.at(-1)).toBe('idle');
    expect(voice.leaves).toBe(1);
  });

  it('continuous: posts only when the music changes, at most once per 30 s', async () => {
    // Each capture takes 10 s of the injected clock; the music heard, round by round:
    const heard = [1, 1, 2, 2, 3, 3, 3, 1];
    let clock = 0;
    let round = 0;
    const postedAt: number[] = [];
    const { session, posts, states } = rig(
      { mode: 'continuous', seconds: 10 },
      {
        now: () => clock,
        capture: async () => {
          if (round === heard.length) session.stop();
          clock += 10_000;
          return audioOf(10);
        },
        analyse: async () => results(heard[round++] ?? 0, true),
        post: async (message) => {
          posts.push(message);
          if (message.kind === 'answer') postedAt.push(clock);
        },
      },
    );
    expect(await session.run()).toEqual({ reason: 'stopped' });
    const tracks = posts.flatMap((p) =>
      p.kind === 'answer' && p.answer.kind === 'results' ? [p.answer.match?.trackId] : [],
    );
    // 1 at 10 s; 2 heard at 30 s is too soon, posted at 40 s; 3 posted at 70 s; 1 at 80 s too soon.
    expect(tracks).toEqual([1, 2, 3]);
    expect(postedAt).toEqual([10_000, 40_000, 70_000]);
    for (let i = 1; i < postedAt.length; i++) {
      expect((postedAt[i] ?? 0) - (postedAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(30_000);
    }
    expect(posts.map((p) => (p.kind === 'answer' ? p.count : 0))).toEqual([0, 1, 2, 3]);
    expect(states.filter((s) => s === 'analysing')).toHaveLength(heard.length);
    expect(states.at(-1)).toBe('idle');
  });

  it('continuous: a non-music answer is never posted; silence long enough is an idle timeout', async () => {
    let clock = 0;
    let round = 0;
    const { session, posts } = rig(
      { mode: 'continuous', seconds: 10, idleTimeoutMs: 60_000 },
      {
        now: () => clock,
        capture: async () => {
          clock += 10_000;
          round += 1;
          return audioOf(round === 1 ? 10 : 1); // music once, then only scraps of sound
        },
        analyse: async () => ({ kind: 'rejected', reason: 'not-music', text: 'Not music.' }),
      },
    );
    expect(await session.run()).toEqual({ reason: 'idle-timeout' });
    expect(posts.map((p) => p.kind)).toEqual(['listening']);
    expect(clock).toBe(70_000); // heard at 10 s, then 60 s of scraps
  });
});

/** A stand-in for `VoiceConnection`: states and status events, as entersState() reads them. */
class FakeConnection extends EventEmitter {
  state: { status: VoiceConnectionStatus } = { status: VoiceConnectionStatus.Signalling };
  readonly receiver = new FakeReceiver();
  destroyed = 0;
  to(status: VoiceConnectionStatus): void {
    const old = this.state;
    this.state = { status };
    this.emit('stateChange', old, this.state);
    this.emit(status, old, this.state);
  }
  destroy(): void {
    this.destroyed += 1;
    this.to(VoiceConnectionStatus.Destroyed);
  }
}

describe('createVoiceConnector (@discordjs/voice connection faked)', () => {
  const setup = () => {
    const connection = new FakeConnection();
    const joinOptions: unknown[] = [];
    const connector = createVoiceConnector({
      reconnectGraceMs: 50,
      reconnectReadyMs: 200,
      join: (options) => {
        joinOptions.push(options);
        // biome-ignore lint/suspicious/noExplicitAny: a structural stand-in for VoiceConnection.
        return connection as any;
      },
    });
    return { connection, connector, joinOptions };
  };

  it('joins undeafened and resolves once Ready', async () => {
    const { connection, connector, joinOptions } = setup();
    const link = connector(TARGET, new AbortController().signal);
    connection.to(VoiceConnectionStatus.Connecting);
    connection.to(VoiceConnectionStatus.Ready);
    const joined = await link;
    expect(joined.receiver).toBe(connection.receiver);
    expect(joinOptions[0]).toMatchObject({
      guildId: TARGET.guildId,
      channelId: TARGET.channelId,
      selfDeaf: false,
    });
    joined.leave();
    joined.leave();
    expect(connection.destroyed).toBe(1);
    expect(joined.lost.aborted).toBe(true);
  });

  it('an aborted join destroys the half-open connection and rejects with the reason', async () => {
    const { connection, connector } = setup();
    const controller = new AbortController();
    const link = connector(TARGET, controller.signal);
    controller.abort(new Error('deadline'));
    await expect(link).rejects.toThrow('deadline');
    expect(connection.destroyed).toBe(1);
  });

  it('rides out a network drop that reconnects', async () => {
    const { connection, connector } = setup();
    const link = connector(TARGET, new AbortController().signal);
    connection.to(VoiceConnectionStatus.Ready);
    const joined = await link;
    connection.to(VoiceConnectionStatus.Disconnected);
    connection.to(VoiceConnectionStatus.Connecting);
    connection.to(VoiceConnectionStatus.Ready);
    await new Promise((resolve) => setTimeout(resolve, 300)); // past both grace periods
    expect(joined.lost.aborted).toBe(false);
    expect(connection.destroyed).toBe(0);
    joined.leave();
  });

  it('gives up on a drop that does not come back: lost, destroyed', async () => {
    const { connection, connector } = setup();
    const link = connector(TARGET, new AbortController().signal);
    connection.to(VoiceConnectionStatus.Ready);
    const joined = await link;
    const lost = new Promise((resolve) =>
      joined.lost.addEventListener('abort', resolve, { once: true }),
    );
    connection.to(VoiceConnectionStatus.Disconnected);
    await lost;
    expect(String(joined.lost.reason)).toMatch(/did not come back/);
    expect(connection.destroyed).toBe(1);
  });
});

describe('checkVoiceAccess', () => {
  const all =
    PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect | PermissionFlagsBits.Speak;
  const lounge = { name: 'Lounge', memberCount: 2, userLimit: 0 };

  it('asks the caller to join a voice channel first', () => {
    const verdict = checkVoiceAccess({ channel: null, botPermissions: all });
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.text).toMatch(/Join a voice channel first/);
  });

  it('names the missing permissions', () => {
    const noConnect = checkVoiceAccess({
      channel: lounge,
      botPermissions: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Speak,
    });
    expect(!noConnect.ok && noConnect.text).toMatch(/Lounge.*missing the Connect permission/);
    const none = checkVoiceAccess({ channel: lounge, botPermissions: 0n });
    expect(!none.ok && none.text).toMatch(/View Channel, Connect, Speak permissions/);
  });

  it('refuses a full channel unless the bot may move members', () => {
    const full = { name: 'Lounge', memberCount: 5, userLimit: 5 };
    expect(checkVoiceAccess({ channel: full, botPermissions: all }).ok).toBe(false);
    expect(
      checkVoiceAccess({ channel: full, botPermissions: all | PermissionFlagsBits.MoveMembers }).ok,
    ).toBe(true);
    expect(checkVoiceAccess({ channel: lounge, botPermissions: all })).toEqual({ ok: true });
  });
});
