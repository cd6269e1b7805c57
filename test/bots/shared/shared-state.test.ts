/**
 * Conversation state that several instances share: votes and handled-event keys in the
 * catalogue's database (two chat services on two connections to one real PostgreSQL catalogue
 * answer a conversation the same way, and a vote survives reopening), and rate-limit buckets in
 * the machine's real Redis. Memory stays the single-process default.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../../bots/shared/chat-service.js';
import { catalogState, memoryState } from '../../../bots/shared/conversation-state.js';
import { redisRateLimit } from '../../../bots/shared/redis-rate-limit.js';
import type { ClipInput } from '../../../bots/shared/types.js';
import { openCatalog } from '../../../core/catalog/open.js';
import type { Catalog } from '../../../core/catalog/types.js';
import { createTestDatabase } from '../../catalog/fixtures.js';
import { redisAnswers } from '../../helpers/services.js';
import { createFakeRecommender } from './fake-recommender.js';

function clip(conversation: string, user = 'u1'): ClipInput {
  return {
    platform: 'web',
    kind: 'audio',
    conversation,
    user,
    fileName: 'clip.ogg',
    mimeType: 'audio/ogg',
    byteLength: 1000,
    durationS: 15,
    read: async () => new Uint8Array(1000),
  };
}

describe('memory state (one process)', () => {
  it('keeps votes, forgets them, and claims an event key once until it expires', async () => {
    let now = 0;
    const state = memoryState({}, () => now);
    await state.recordVote('c', 3, 'up');
    await state.recordVote('c', 4, 'down');
    expect(await state.votes('c')).toEqual({ liked: [3], disliked: [4] });
    await state.forget('c');
    expect(await state.votes('c')).toEqual({ liked: [], disliked: [] });
    expect(await state.claimOnce('e1', 10)).toBe(true);
    expect(await state.claimOnce('e1', 10)).toBe(false);
    now = 10_001;
    expect(await state.claimOnce('e1', 10)).toBe(true);
  });
});

/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the database part is skipped without it. */
const adminUrl = process.env.TEST_DATABASE_URL;
/** Appended to the titles of the tests that need PostgreSQL, so a skipped run says why. */
const pgNote = adminUrl
  ? ''
  : ' (skipped: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)';

describe.skipIf(!adminUrl)(`state in the catalogue database (two instances)${pgNote}`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let one: Catalog;
  let two: Catalog;

  beforeAll(async () => {
    db = await createTestDatabase(adminUrl as string);
    one = await openCatalog(db.url);
    two = await openCatalog(db.url);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('a 👎 on one instance re-ranks the next answer on the other, after a restart too; /forget deletes', async () => {
    const engineA = createFakeRecommender();
    const engineB = createFakeRecommender();
    const a = createChatService(engineA, { state: catalogState(one.conversations) });
    const b = createChatService(engineB, { state: catalogState(two.conversations) });
    expect((await a.vote('web:x', 'u1', 2, 'down')).kind).toBe('ack');
    expect((await a.vote('web:x', 'u1', 5, 'up')).kind).toBe('ack');
    expect((await b.handleClip(clip('web:x'))).kind).toBe('results');
    expect(engineB.calls.at(-1)?.feedback).toEqual({ liked: [5], disliked: [2] });

    // "Restart": a new connection and a new service on the same catalogue.
    await two.close();
    two = await openCatalog(db.url);
    const engineC = createFakeRecommender();
    const c = createChatService(engineC, { state: catalogState(two.conversations) });
    await c.handleClip(clip('web:x'));
    expect(engineC.calls.at(-1)?.feedback).toEqual({ liked: [5], disliked: [2] });

    await c.forget('web:x');
    await a.handleClip(clip('web:x'));
    expect(engineA.calls.at(-1)?.feedback).toEqual({ liked: [], disliked: [] });
  });

  it('handles an event once across instances', async () => {
    const a = createChatService(createFakeRecommender(), {
      state: catalogState(one.conversations),
    });
    const b = createChatService(createFakeRecommender(), {
      state: catalogState(two.conversations),
    });
    const key = `slack:event:${randomUUID()}`;
    const claims = await Promise.all([a.claimOnce(key, 60), b.claimOnce(key, 60)]);
    expect(claims.sort()).toEqual([false, true]);
  });
});

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await redisAnswers(redisUrl);
/** Appended to the title of the test that needs Redis, so a skipped run says why. */
const redisNote = redisUp
  ? ''
  : ` (skipped: no Redis answers at ${redisUrl}: start one or set REDIS_URL=redis://…)`;

describe('rate limit in Redis (two instances)', () => {
  const url = redisUrl;

  it.skipIf(!redisUp)(
    `draws both instances from one bucket per user, refunds, and refills${redisNote}`,
    async () => {
      const prefix = `synesthete-test:${randomUUID()}:`;
      const one = redisRateLimit(url, { capacity: 2, perS: 1, prefix });
      const two = redisRateLimit(url, { capacity: 2, perS: 1, prefix });
      try {
        expect(await one.take('web:u')).toEqual({ ok: true });
        expect(await two.take('web:u')).toEqual({ ok: true });
        const refused = await one.take('web:u');
        expect(refused.ok).toBe(false);
        if (!refused.ok) expect(refused.retryAfterS).toBeGreaterThan(0.3);
        expect((await two.take('web:other')).ok).toBe(true);
        await two.refund('web:u');
        expect((await one.take('web:u')).ok).toBe(true);
        await new Promise((r) => setTimeout(r, 600)); // 2 tokens a second
        expect((await two.take('web:u')).ok).toBe(true);
      } finally {
        await one.close();
        await two.close();
      }
    },
  );

  it('lets clips through and logs once when Redis cannot be reached', async () => {
    const lines: string[] = [];
    const limit = redisRateLimit('redis://127.0.0.1:1', {
      capacity: 1,
      log: (line) => lines.push(line),
    });
    try {
      for (let i = 0; i < 3; i++) expect((await limit.take('web:u')).ok).toBe(true);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[rate-limit\] Redis failed .*let through/);
    } finally {
      await limit.close();
    }
  });
});
