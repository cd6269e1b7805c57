/**
 * Two web chats sharing the machine's Redis (REDIS_URL): the spectrogram picture of an answer one
 * instance gave is served by the other, to the same session only; without Redis each instance
 * keeps its own. Skipped, with the reason in its title, when no Redis answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../bots/shared/chat-service.js';
import { type RunningWebChat, startWebChat, webOptionsFromEnv } from '../../bots/web/index.js';
import { redisAnswers } from '../helpers/services.js';
import { createFakeRecommender } from './shared/fake-recommender.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const COOKIE = 'synesthete_session=SharedPicturesTest_01A';

const redisUp = await redisAnswers(REDIS_URL);
/** Appended to the title, so a skipped run says why. */
const redisNote = redisUp
  ? ''
  : ` (skipped: no Redis answers at ${REDIS_URL}: start one or set REDIS_URL=redis://…)`;

describe.skipIf(!redisUp)(`web chat pictures in Redis (two instances)${redisNote}`, () => {
  let one: RunningWebChat;
  let two: RunningWebChat;

  beforeAll(async () => {
    const service = createChatService(createFakeRecommender());
    const options = { ...webOptionsFromEnv({ WEB_PORT: '0', REDIS_URL }), log: () => {} };
    expect(options.redisUrl).toBe(REDIS_URL);
    one = await startWebChat(service, options);
    two = await startWebChat(service, options);
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
  });

  it("serves on one instance the picture of the other's answer, to that session only", async () => {
    const response = await fetch(new URL('/api/clip', one.url), {
      method: 'POST',
      headers: { Cookie: COOKIE, 'Content-Type': 'audio/ogg' },
      body: new Uint8Array(1000),
    });
    const answer = (await response.json()) as { kind: string; spectrogramUrl?: string };
    expect(answer.kind).toBe('results');
    expect(answer.spectrogramUrl).toBeDefined();
    const picture = await fetch(new URL(answer.spectrogramUrl as string, two.url), {
      headers: { Cookie: COOKIE },
    });
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await picture.arrayBuffer());
    expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    const stranger = await fetch(new URL(answer.spectrogramUrl as string, two.url), {
      headers: { Cookie: 'synesthete_session=SomeoneElseEntirely_0B' },
    });
    expect(stranger.status).toBe(404);
  });
});
