/**
 * Offset-consistent window matching: a track whose windows match the clip at one offset beats a
 * track whose windows match as well or better but at scattered offsets.
 */
import { describe, expect, it } from 'vitest';
import { rankByAlignedWindows, type WindowHit } from '../../core/recommend/identify.js';

describe('rankByAlignedWindows', () => {
  it('prefers consistent offsets over scattered better hits', () => {
    const dim = 2;
    const count = 8;
    const query = new Float32Array(count * dim);
    const starts = Array.from({ length: count }, (_, w) => w * 16);
    // Clip window w: track 1 matches its window near 10 + w/4 (offset ≈ 640 frames, constant);
    // track 2 matches a random window with a slightly higher similarity.
    const hits = (w: number): WindowHit[] => [
      { trackId: 2, windowIndex: (w * 7) % 13, similarity: 0.9 },
      { trackId: 1, windowIndex: 10 + Math.round((w * 16) / 64), similarity: 0.85 },
    ];
    let w = -1;
    const ranked = rankByAlignedWindows(query, starts, dim, 64, () => hits(++w));
    expect(ranked[0]?.trackId).toBe(1);
    expect(ranked[0]?.score).toBeCloseTo(0.85, 5);
    expect(ranked[1]?.trackId).toBe(2);
    expect(ranked[1]!.score).toBeLessThan(0.5);
  });
});
