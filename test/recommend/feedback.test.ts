/** Rocchio relevance feedback on the query vector (core/recommend/feedback.ts). */
import { describe, expect, it } from 'vitest';
import { applyFeedback, ROCCHIO } from '../../core/recommend/feedback.js';

const cos = (a: Float32Array, b: Float32Array) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += x * (b[i] ?? 0);
    aa += x * x;
    bb += (b[i] ?? 0) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
};

describe('applyFeedback', () => {
  const query = Float32Array.from([2, 0, 0]);
  const liked = Float32Array.from([0, 1, 0]);
  const disliked = Float32Array.from([0, 0, 5]);

  it('returns the query itself without votes', () => {
    expect(applyFeedback(query, { liked: [], disliked: [] })).toBe(query);
  });

  it('moves toward liked and away from disliked tracks, keeping the norm', () => {
    const moved = applyFeedback(query, { liked: [liked], disliked: [disliked] });
    expect(Math.hypot(...moved)).toBeCloseTo(2, 5);
    expect(cos(moved, liked)).toBeGreaterThan(cos(query, liked));
    expect(cos(moved, disliked)).toBeLessThan(cos(query, disliked));
    // Exactly α·q̂ + β·liked − γ·disliked, rescaled: unit vectors make the ratios readable.
    expect(moved[1]! / moved[0]!).toBeCloseTo(ROCCHIO.beta / ROCCHIO.alpha, 5);
    expect(moved[2]! / moved[0]!).toBeCloseTo(-ROCCHIO.gamma / ROCCHIO.alpha, 5);
  });

  it('averages several liked tracks', () => {
    const a = Float32Array.from([0, 1, 0]);
    const b = Float32Array.from([0, 0, 1]);
    const moved = applyFeedback(query, { liked: [a, b], disliked: [] });
    expect(moved[1]).toBeCloseTo(moved[2]!, 6);
  });
});
