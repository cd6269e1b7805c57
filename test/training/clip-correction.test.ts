/** The clip correction of training/fit-style.ts recovers a known per-dimension line. */
import { describe, expect, it } from 'vitest';
import { STYLE_SIZE } from '../../core/features/style.js';
import { createRng } from '../../core/util/random.js';
import { clipCorrection } from '../../training/fit-style.js';

describe('clipCorrection', () => {
  it('finds z_track = scale · z_clip + offset per dimension, and 0 · z + mean for a constant clip', () => {
    const rng = createRng(9);
    const mean = Array.from({ length: STYLE_SIZE }, (_, d) => d % 5);
    const std = Array.from({ length: STYLE_SIZE }, (_, d) => 1 + (d % 3));
    const pairs = Array.from({ length: 40 }, () => {
      const clip = Float32Array.from({ length: STYLE_SIZE }, () => rng() * 4 - 2);
      // In standardised units the track is 0.5 · clip + 0.25 (dimension 0: the clip is constant).
      const track = clip.map((x, d) => {
        const z = (x - mean[d]!) / std[d]!;
        return (0.5 * z + 0.25) * std[d]! + mean[d]!;
      });
      clip[0] = 1;
      return { clip, track };
    });
    const { scale, offset } = clipCorrection(pairs, { mean, std });
    expect(scale).toHaveLength(STYLE_SIZE);
    for (let d = 1; d < STYLE_SIZE; d += 97) {
      expect(scale[d]).toBeCloseTo(0.5, 4);
      expect(offset[d]).toBeCloseTo(0.25, 4);
    }
    expect(scale[0]).toBe(0);
    const meanTrack =
      pairs.reduce((s, p) => s + (p.track[0]! - mean[0]!) / std[0]!, 0) / pairs.length;
    expect(offset[0]).toBeCloseTo(meanTrack, 4);
  });
});
