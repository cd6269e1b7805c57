/**
 * The Slack adapter through Bolt's real HTTP receiver against a local fake of the Slack Web API:
 * the shared chat contract (real chat service over the test catalogue), then what only Slack has
 * — request signatures, the 3-second ack, announced sizes, the three events one upload causes,
 * channel etiquette, secrets in logs, Socket Mode, and the environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../bots/shared/chat-service.js';
import type { RecommenderPort } from '../../bots/shared/recommender-port.js';
import type { ChatAnswer, ChatService, ClipInput } from '../../bots/shared/types.js';
import { slackOptionsFromEnv, startSlackBot } from '../../bots/slack/index.js';
import { LISTENING_TEXT } from '../../bots/slack/render.js';
import { hasCode } from '../../core/util/errors.js';
import { adapterContract } from './contract.js';
import { fakeSlackToken } from './fakes/fake-tokens.js';
import { FAKE_SLACK, startFakeSlackApi } from './fakes/slack-api.js';
import {
  appMention,
  eventEnvelope,
  fileSharedEvent,
  fileShareMessage,
  postSigned,
  slashCommandPayload,
} from './fakes/slack-events.js';
import {
  awaitThreadAnswer,
  createSlackHarness,
  type SlackRig,
  startSlackRig,
  TEST_BOT_TOKEN,
  TEST_SIGNING_SECRET,
} from './fakes/slack-harness.js';

adapterContract('slack adapter', async (service) =>
  createSlackHarness(await startSlackRig(service)),
);

/** A chat service that answers instantly, reads every clip, and can be held back. */
function gatedService() {
  const clips: { input: ClipInput; bytes: Uint8Array }[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const service: ChatService = {
    async handleClip(input) {
      await gate;
      const bytes = await input.read();
      clips.push({ input, bytes });
      const answer: ChatAnswer = {
        kind: 'results',
        answerId: `a${clips.length}`,
        summary: '120 BPM · A minor · bright',
        results: [1, 2, 3, 4, 5].map((id) => ({
          rank: id,
          trackId: id,
          label: `Track ${id} — Artist`,
          title: `Track ${id}`,
          artist: 'Artist',
          similarity: 0.9 - id / 20,
          confidence: 0.8,
          reason: 'same tempo',
        })),
        feedbackApplied: false,
        spectrogramPng: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
      };
      return answer;
    },
    vote: async () => ({ kind: 'ack', text: 'Noted.' }),
    forget: async () => 'Forgotten.',
    helpText: () => 'Send me a voice message. /synesthete forget clears votes.',
    trackAudioPath: async () => undefined,
    claimOnce: async () => true,
    drain: async () => {},
  };
  return {
    service,
    clips,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
}

/** The real chat service over an engine that must never be reached (refusals come first). */
function prechecksOnlyService(): ChatService {
  const unreachable = async (): Promise<never> => {
    throw new Error('the engine must not be reached');
  };
  const engine: RecommenderPort = {
    recommend: unreachable,
    similar: unreachable,
    catalog: { getTrack: async () => undefined },
  };
  return createChatService(engine, { log: () => {} });
}

describe('slack adapter: Slack specifics', () => {
  let rig: SlackRig;
  let gated: ReturnType<typeof gatedService>;
  let strict: SlackRig;

  beforeAll(async () => {
    gated = gatedService();
    rig = await startSlackRig(gated.service);
    strict = await startSlackRig(prechecksOnlyService());
  });

  afterAll(async () => {
    await rig?.close();
    await strict?.close();
  });

  const audioFile = (target: SlackRig, ts: string, size?: number) =>
    target.fake.addFile({
      bytes: new Uint8Array(2048).fill(7),
      name: 'song.mp3',
      mimetype: 'audio/mpeg',
      filetype: 'mp3',
      ...(size === undefined ? {} : { size }),
      share: { channel: FAKE_SLACK.channelId, ts },
    });

  it('refuses a request with a bad signature (401) and never reaches the service', async () => {
    const ts = rig.fake.nextTs();
    const file = audioFile(rig, ts);
    const before = { clips: gated.clips.length, calls: rig.fake.calls.length };
    const body = JSON.stringify({ type: 'event_callback', event: fileShareMessage({ file, ts }) });
    const forged = await postSigned(
      rig.eventsUrl,
      'not-the-signing-secret',
      body,
      'application/json',
    );
    expect(forged.status).toBe(401);
    const unsigned = await fetch(rig.eventsUrl, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gated.clips.length).toBe(before.clips);
    expect(rig.fake.calls.slice(before.calls)).toEqual([]);
  });

  it('acks an upload within 3 s, before the analysis finishes, and says it is listening', async () => {
    gated.hold();
    const ts = rig.fake.nextTs();
    const file = audioFile(rig, ts);
    const from = rig.fake.calls.length;
    const response = await rig.sendEvent(fileShareMessage({ file, ts }));
    expect(response.status).toBe(200);
    expect(response.elapsedMs).toBeLessThan(3000);
    const listening = await rig.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.params.thread_ts === ts,
      { fromSeq: from },
    );
    expect(listening.params.text).toBe(LISTENING_TEXT);
    // The analysis is still held: nothing has replaced "listening…" yet.
    expect(rig.fake.calls.slice(from).some((c) => c.method === 'chat.update')).toBe(false);
    gated.release();
    const answer = await awaitThreadAnswer(rig.fake, ts, from);
    expect(answer.resultTrackIds).toEqual([1, 2, 3, 4, 5]);
    expect(answer.image).toBe(true);
    // The file came from the API host, with the bot token, byte for byte.
    const download = rig.fake.calls
      .slice(from)
      .find((c) => c.method === 'download' && c.params.fileId === file.id);
    expect(download?.authorization).toBe(`Bearer ${TEST_BOT_TOKEN}`);
    expect(gated.clips.at(-1)?.bytes).toEqual(new Uint8Array(2048).fill(7));
    expect(gated.clips.at(-1)?.input).toMatchObject({
      platform: 'slack',
      kind: 'audio',
      conversation: FAKE_SLACK.channelId,
      user: FAKE_SLACK.userId,
      mimeType: 'audio/mpeg',
      byteLength: 2048,
    });
  });

  it('refuses a file announced too big without downloading it', async () => {
    const ts = strict.fake.nextTs();
    const file = audioFile(strict, ts, 500 * 1024 * 1024);
    const from = strict.fake.calls.length;
    expect((await strict.sendEvent(fileShareMessage({ file, ts }))).status).toBe(200);
    const answer = await awaitThreadAnswer(strict.fake, ts, from);
    expect(answer.text).toMatch(/too big/i);
    expect(answer.text).not.toMatch(/Error:|stack|at \w+ \(/);
    expect(answer.resultTrackIds).toEqual([]);
    expect(strict.fake.calls.slice(from).some((c) => c.method === 'download')).toBe(false);
  });

  it('answers a file once although Slack sends it as a message and as file_shared', async () => {
    const ts = rig.fake.nextTs();
    const file = audioFile(rig, ts);
    const from = rig.fake.calls.length;
    const clipsBefore = gated.clips.length;
    await Promise.all([
      rig.sendEvent(fileShareMessage({ file, ts })),
      rig.sendEvent(fileSharedEvent(file)),
    ]);
    await awaitThreadAnswer(rig.fake, ts, from);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const posted = rig.fake.calls.slice(from).filter((c) => c.method === 'chat.postMessage');
    expect(posted).toHaveLength(1);
    expect(gated.clips.length).toBe(clipsBefore + 1);
  });

  it('answers a file_shared event alone in the thread the file was shared in', async () => {
    const ts = rig.fake.nextTs();
    const file = audioFile(rig, ts);
    const from = rig.fake.calls.length;
    expect((await rig.sendEvent(fileSharedEvent(file))).status).toBe(200);
    const answer = await awaitThreadAnswer(rig.fake, ts, from);
    expect(answer.resultTrackIds).toHaveLength(5);
    expect(rig.fake.calls.slice(from).some((c) => c.method === 'files.info')).toBe(true);
  });

  it('ignores a picture shared in a channel, but answers one sent directly', async () => {
    const picture = (ts: string, channel: string) =>
      strict.fake.addFile({
        bytes: new Uint8Array(100),
        name: 'screenshot.png',
        mimetype: 'image/png',
        filetype: 'png',
        share: { channel, ts },
      });
    const inChannel = strict.fake.nextTs();
    const from = strict.fake.calls.length;
    await strict.sendEvent(
      fileShareMessage({ file: picture(inChannel, FAKE_SLACK.channelId), ts: inChannel }),
    );
    const direct = strict.fake.nextTs();
    await strict.sendEvent(
      fileShareMessage({
        file: picture(direct, FAKE_SLACK.dmChannelId),
        ts: direct,
        channel: FAKE_SLACK.dmChannelId,
        channelType: 'im',
      }),
    );
    const answer = await awaitThreadAnswer(strict.fake, direct, from);
    expect(answer.text).toMatch(/doesn.t look like audio/i);
    const calls = strict.fake.calls.slice(from);
    expect(calls.some((c) => c.params.thread_ts === inChannel)).toBe(false);
    expect(calls.some((c) => c.params.text === LISTENING_TEXT)).toBe(false);
  });

  it('answers "@synesthete help" in the thread', async () => {
    const ts = rig.fake.nextTs();
    const from = rig.fake.calls.length;
    await rig.sendEvent(appMention({ text: 'help', ts }));
    const reply = await rig.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.params.thread_ts === ts,
      { fromSeq: from },
    );
    expect(String(reply.params.text)).toMatch(/voice/i);
  });

  it('searches again with the clip of a thread on "@synesthete similar" there', async () => {
    const ts = rig.fake.nextTs();
    const file = audioFile(rig, ts);
    const from = rig.fake.calls.length;
    await rig.sendEvent(fileShareMessage({ file, ts }));
    await awaitThreadAnswer(rig.fake, ts, from);
    const clipsBefore = gated.clips.length;
    const again = rig.fake.calls.length;
    await rig.sendEvent({
      ...appMention({ text: 'similar', ts: rig.fake.nextTs() }),
      thread_ts: ts,
    });
    const answer = await awaitThreadAnswer(rig.fake, ts, again);
    expect(answer.resultTrackIds).toHaveLength(5);
    expect(gated.clips.length).toBe(clipsBefore + 1);
    expect(gated.clips.at(-1)?.input.fileName).toBe('song.mp3');
  });

  it('never writes the bot token or the signing secret to its log', () => {
    const all = [...rig.logs, ...strict.logs].join('\n');
    expect(all).not.toContain(TEST_BOT_TOKEN);
    expect(all).not.toContain(TEST_SIGNING_SECRET);
  });
});

describe('slack adapter: Socket Mode', () => {
  it('answers an upload and a slash command over the socket, acking each envelope', async () => {
    const appToken = fakeSlackToken('xapp');
    const fake = await startFakeSlackApi(TEST_BOT_TOKEN, { appToken });
    const gated = gatedService();
    const logs: string[] = [];
    const bot = await startSlackBot(gated.service, {
      botToken: TEST_BOT_TOKEN,
      socketMode: true,
      appToken,
      apiUrl: fake.apiUrl,
      log: (level, line) => logs.push(`${level}: ${line}`),
    });
    try {
      expect(bot.description).toMatch(/Socket Mode/);
      const ts = fake.nextTs();
      const file = fake.addFile({
        bytes: new Uint8Array(512).fill(3),
        name: 'voice.ogg',
        mimetype: 'audio/ogg',
        filetype: 'ogg',
        share: { channel: FAKE_SLACK.channelId, ts },
      });
      const from = fake.calls.length;
      const sent = await fake.socketSend(
        'events_api',
        eventEnvelope(fileShareMessage({ file, ts })),
      );
      expect(sent.elapsedMs).toBeLessThan(3000);
      const answer = await awaitThreadAnswer(fake, ts, from);
      expect(answer.resultTrackIds).toEqual([1, 2, 3, 4, 5]);
      const help = await fake.socketSend(
        'slash_commands',
        slashCommandPayload({
          command: '/synesthete',
          text: 'help',
          responseUrl: fake.responseUrl(),
        }),
      );
      expect(help.elapsedMs).toBeLessThan(3000);
      const reply = await fake.waitFor((c) => c.method === 'respond', { fromSeq: from });
      expect(String(reply.params.text)).toMatch(/voice/i);
    } finally {
      await bot.stop();
      await fake.close();
    }
    const all = logs.join('\n');
    expect(all).not.toContain(appToken);
    expect(all).not.toContain(TEST_BOT_TOKEN);
  });
});

describe('slackOptionsFromEnv', () => {
  it('is off without SLACK_BOT_TOKEN', () => {
    expect(slackOptionsFromEnv({})).toBeUndefined();
  });

  it('reads HTTP mode with its port and API URL', () => {
    expect(
      slackOptionsFromEnv({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        SLACK_PORT: '3100',
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
      }),
    ).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's',
      port: 3100,
      apiUrl: 'http://127.0.0.1:9/api/',
    });
  });

  it('chooses Socket Mode with an app token', () => {
    expect(slackOptionsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual({
      botToken: 'xoxb-1',
      socketMode: true,
      appToken: 'xapp-1',
    });
  });

  it('names the missing variable', () => {
    const missing = (env: NodeJS.ProcessEnv, name: string) => {
      try {
        slackOptionsFromEnv(env);
      } catch (error) {
        expect(hasCode(error, 'E_CONFIG')).toBe(true);
        expect((error as Error).message).toContain(name);
        return;
      }
      throw new Error('expected E_CONFIG');
    };
    missing({ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET');
    missing({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SOCKET_MODE: '1' }, 'SLACK_APP_TOKEN');
    missing(
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_PORT: 'x' },
      'SLACK_PORT',
    );
  });
});
