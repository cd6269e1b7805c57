import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../bots/shared/rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a burst of `capacity` through, then answers how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 6, perS: 60, now: () => now });
    for (let i = 0; i < 6; i++) expect(limiter.take('u')).toEqual({ ok: true });
    const refused = limiter.take('u');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterS).toBeCloseTo(10, 5);
    now = 4_000;
    const still = limiter.take('u');
    expect(still.ok).toBe(false);
    if (!still.ok) expect(still.retryAfterS).toBeCloseTo(6, 5);
    now = 10_000;
    expect(limiter.take('u').ok).toBe(true);
    expect(limiter.take('u').ok).toBe(false);
  });

  it('keeps one bucket per user', () => {
    const limiter = new RateLimiter({ capacity: 1, perS: 60, now: () => 0 });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('refund gives a token back, never above capacity', () => {
    const limiter = new RateLimiter({ capacity: 2, perS: 60, now: () => 0 });
    limiter.take('u');
    limiter.take('u');
    limiter.refund('u');
    expect(limiter.take('u').ok).toBe(true);
    expect(limiter.take('u').ok).toBe(false);
    limiter.refund('v');
    limiter.refund('v');
    expect(limiter.take('v').ok).toBe(true);
    expect(limiter.take('v').ok).toBe(true);
    expect(limiter.take('v').ok).toBe(false);
  });

  it('holds a bounded number of buckets, forgetting full ones first', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 1, perS: 60, maxKeys: 3, now: () => now });
    limiter.take('busy');
    now = 1000;
    for (const key of ['a', 'b', 'c', 'd', 'e']) limiter.take(key);
    expect(limiter.size).toBeLessThanOrEqual(3);
  });
});
