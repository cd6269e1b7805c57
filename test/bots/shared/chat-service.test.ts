/** The chat service's own rules, against a recording fake engine (no model, fast). */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createChatService } from '../../../bots/shared/chat-service.js';
import type { ChatAnswer, ClipInput } from '../../../bots/shared/types.js';
import { SynestheteError } from '../../../core/util/errors.js';
import { fakeTelegramToken } from '../fakes/fake-tokens.js';
import { createFakeRecommender, fakeRecommendation } from './fake-recommender.js';

const TELEGRAM_TOKEN = fakeTelegramToken();

const MB = 1024 * 1024;

function clip(overrides: Partial<ClipInput> = {}): ClipInput & { reads: number } {
  const input = {
    platform: 'telegram' as const,
    kind: 'voice' as const,
    conversation: 'chat-1',
    user: 'user-1',
    fileName: 'voice.ogg',
    mimeType: 'audio/ogg',
    byteLength: 1000,
    durationS: 15,
    reads: 0,
    async read() {
      input.reads++;
      return new Uint8Array(1000);
    },
    ...overrides,
  };
  return input;
}

const reason = (a: ChatAnswer) => (a.kind === 'rejected' ? a.reason : a.kind);

describe('chat service (fake engine)', () => {
  it('answers five results with labels, match and a spectrogram PNG', async () => {
    const engine = createFakeRecommender();
    engine.next = async () => fakeRecommendation([1, 2, 3, 4, 5], 9);
    const service = createChatService(engine);
    const answer = await service.handleClip(clip());
    expect(answer.kind).toBe('results');
    if (answer.kind !== 'results') return;
    expect(answer.results.map((r) => r.trackId)).toEqual([1, 2, 3, 4, 5]);
    expect(answer.results[0]?.label).toBe('Track 1 — Band');
    expect(answer.results[2]?.label).toBe('track 3'); // no tags: the file name, readable
    expect(answer.match).toEqual({ trackId: 9, label: 'Track 9 — Band', score: 0.8 });
    expect(answer.summary).toBe('120 BPM · C major · warm');
    expect(answer.feedbackApplied).toBe(false);
    const png = PNG.sync.read(Buffer.from(answer.spectrogramPng ?? new Uint8Array()));
    expect([png.width, png.height]).toEqual([20, 32]);
  });

  it('refuses by announced size, duration and type without downloading', async () => {
    const engine = createFakeRecommender();
    const service = createChatService(engine);
    const cases: [Partial<ClipInput>, string][] = [
      [{ byteLength: 30 * MB }, 'too-big'],
      [{ byteLength: 0 }, 'empty'],
      [{ durationS: 11 * 60 }, 'too-long'],
      [{ durationS: 2 }, 'too-short'],
      [{ mimeType: 'image/png', fileName: 'cat.png', kind: 'document' }, 'not-audio'],
      [{ mimeType: 'application/pdf', fileName: 'score.pdf', kind: 'document' }, 'not-audio'],
    ];
    for (const [overrides, expected] of cases) {
      const input = clip(overrides);
      const answer = await service.handleClip(input);
      expect(reason(answer), JSON.stringify(overrides)).toBe(expected);
      expect(input.reads).toBe(0);
    }
    expect(engine.calls).toHaveLength(0);
    const big = await service.handleClip(clip({ byteLength: 30 * MB }));
    expect(big.kind === 'rejected' && big.text).toContain('20 MB');
    // 30 MB is within Discord's 25 MB? No: refused there too; within Slack's 50 MB it is read.
    const slack = clip({ platform: 'slack', byteLength: 30 * MB });
    expect((await service.handleClip(slack)).kind).toBe('results');
    expect(slack.reads).toBe(1);
  });

  it('maps engine errors to friendly refusals and anything else to one logged error', async () => {
    const engine = createFakeRecommender();
    const logged: string[] = [];
    const service = createChatService(engine, { log: (l) => logged.push(l) });
    const cases: [SynestheteError | Error, string][] = [
      [new SynestheteError('E_DECODE', 'ffmpeg: invalid data'), 'unreadable'],
      [new SynestheteError('E_DECODE_TIMEOUT', 'slow'), 'unreadable'],
      [new SynestheteError('E_INPUT_EMPTY', 'empty'), 'empty'],
      [new SynestheteError('E_INPUT_TOO_LARGE', 'big'), 'too-big'],
      [new SynestheteError('E_INPUT_DURATION', 'the clip is too short (0.4 s)'), 'too-short'],
      [new SynestheteError('E_INPUT_DURATION', 'the clip is too long (4 h)'), 'too-long'],
    ];
    for (const [error, expected] of cases) {
      engine.next = () => Promise.reject(error);
      expect(reason(await service.handleClip(clip()))).toBe(expected);
    }
    expect(logged).toHaveLength(0);
    engine.next = () => Promise.reject(new TypeError('x is undefined'));
    const answer = await service.handleClip(clip({ user: 'u2' }));
    expect(answer.kind).toBe('error');
    expect(answer.kind === 'error' && answer.text).not.toMatch(/TypeError|undefined|at /);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('x is undefined');
  });

  it('answers a failed download as unreadable and never throws', async () => {
    const logged: string[] = [];
    const service = createChatService(createFakeRecommender(), { log: (l) => logged.push(l) });
    const answer = await service.handleClip(
      clip({
        read: () =>
          Promise.reject(new Error(`404 https://api.telegram.org/file/bot${TELEGRAM_TOKEN}/x`)),
      }),
    );
    expect(reason(answer)).toBe('unreadable');
    expect(answer.kind === 'rejected' && answer.text).toMatch(/couldn.t read that as audio/);
    expect(logged.join('\n')).not.toContain(TELEGRAM_TOKEN.split(':')[1]);
  });

  it('answers not-music with what to send instead', async () => {
    const engine = createFakeRecommender();
    engine.next = async () => ({
      ...fakeRecommendation([]),
      music: { probability: 0, isMusic: false, reason: 'silence' },
    });
    const answer = await createChatService(engine).handleClip(clip());
    expect(reason(answer)).toBe('not-music');
    expect(answer.kind === 'rejected' && answer.text).toMatch(/couldn't hear music in that/);
    expect(answer.kind === 'rejected' && answer.text).toMatch(/voice message/);
  });

  it('rate-limits each user with a token bucket', async () => {
    let now = 0;
    const service = createChatService(createFakeRecommender(), {
      rateLimit: { clips: 2, perS: 60 },
      now: () => now,
    });
    expect((await service.handleClip(clip())).kind).toBe('results');
    expect((await service.handleClip(clip())).kind).toBe('results');
    const limited = await service.handleClip(clip());
    expect(limited).toMatchObject({ kind: 'rate-limited', retryAfterS: 30 });
    expect((await service.handleClip(clip({ user: 'someone-else' }))).kind).toBe('results');
    now = 30_000;
    expect((await service.handleClip(clip())).kind).toBe('results');
  });

  it('answers busy when the queue is full, and drains', async () => {
    const engine = createFakeRecommender();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    engine.next = async () => {
      await held;
      return fakeRecommendation([1, 2, 3, 4, 5]);
    };
    const service = createChatService(engine, { concurrency: 1, maxPending: 1 });
    const first = service.handleClip(clip({ user: 'a' }));
    const second = service.handleClip(clip({ user: 'b' }));
    const third = await service.handleClip(clip({ user: 'c' }));
    expect(third).toEqual({ kind: 'busy', text: "I'm busy right now — try again in a minute." });
    release();
    await service.drain();
    expect((await first).kind).toBe('results');
    expect((await second).kind).toBe('results');
  });

  it('stores votes per conversation and sends them with the next clip; forget clears them', async () => {
    const engine = createFakeRecommender();
    const service = createChatService(engine);
    expect(await service.vote('chat-1', 'u', 2, 'down')).toEqual({
      kind: 'ack',
      text: 'Noted — less like Track 2 — Band.',
    });
    expect(await service.vote('chat-1', 'u', 4, 'up')).toMatchObject({
      kind: 'ack',
      text: expect.stringContaining('more like Track 4 — Band'),
    });
    await service.vote('chat-1', 'u', 4, 'down');
    const answer = await service.handleClip(clip());
    expect(answer.kind === 'results' && answer.feedbackApplied).toBe(true);
    await service.handleClip(clip({ conversation: 'chat-2' }));
    const sent = engine.calls.filter((c) => c.method === 'recommend').map((c) => c.feedback);
    expect(sent).toEqual([
      { liked: [], disliked: [2, 4] },
      { liked: [], disliked: [] },
    ]);
    expect(await service.forget('chat-1')).toMatch(/forg/i);
    await service.handleClip(clip());
    expect(engine.calls.at(-1)).toMatchObject({ feedback: { liked: [], disliked: [] } });
  });

  it('answers "more like this" with the neighbours of the track', async () => {
    const engine = createFakeRecommender();
    const service = createChatService(engine);
    const answer = await service.vote('chat-1', 'u', 5, 'more');
    expect(answer).toMatchObject({ kind: 'results', heading: 'More like Track 5 — Band' });
    expect(answer.kind === 'results' && answer.results.map((r) => r.trackId)).toEqual([
      6, 7, 8, 9, 10,
    ]);
    expect(engine.calls.at(-1)).toMatchObject({ method: 'similar', trackId: 5 });
    expect((await service.vote('chat-1', 'u', 999, 'more')).kind).toBe('error');
  });

  it('gives help per platform and the audio path of tracks whose file exists', async () => {
    const service = createChatService(createFakeRecommender());
    expect(service.helpText('telegram')).toContain('20 MB');
    expect(service.helpText('discord')).toContain('25 MB');
    expect(await service.trackAudioPath(1)).toBeUndefined(); // /music/track_1.ogg is not there
    expect(await service.trackAudioPath(999)).toBeUndefined();
  });
});
