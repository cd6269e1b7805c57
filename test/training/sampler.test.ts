/** Positive-pair sampling: shapes, determinism for a seed, and what a pair is made of. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/util/random.js';
import { samplePairs } from '../../training/sampler.js';
import { PLAIN_SAMPLER, syntheticTracks, TINY_SAMPLER } from '../helpers/training.js';

const FRAMES = TINY_SAMPLER.frames;
const N_MELS = 8;
const SIZE = FRAMES * N_MELS;

/** Which synthetic track (see syntheticTracks) a window came from, and its first frame. */
function origin(batch: Float32Array, row: number): { track: number; frame: number } {
  const v = batch[row * SIZE]!;
  return { track: Math.floor(v / 1000), frame: Math.round(v % 1000) };
}

describe('samplePairs', () => {
  const tracks = syntheticTracks(6);

  it('returns 2 × batchSize windows of frames × nMels', () => {
    const batch = samplePairs(tracks, 4, TINY_SAMPLER, createRng(1));
    expect(batch).toBeInstanceOf(Float32Array);
    expect(batch).toHaveLength(2 * 4 * SIZE);
    expect(batch.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = samplePairs(tracks, 4, TINY_SAMPLER, createRng(42));
    const b = samplePairs(tracks, 4, TINY_SAMPLER, createRng(42));
    const c = samplePairs(tracks, 4, TINY_SAMPLER, createRng(43));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('pairs row b with row b + B from the same track, and uses distinct tracks in a batch', () => {
    for (const identificationProbability of [0, 1]) {
      const batch = samplePairs(
        tracks,
        4,
        { ...PLAIN_SAMPLER, identificationProbability },
        createRng(7),
      );
      const anchors = [0, 1, 2, 3].map((b) => origin(batch, b));
      const positives = [4, 5, 6, 7].map((b) => origin(batch, b));
      expect(positives.map((p) => p.track)).toEqual(anchors.map((a) => a.track));
      expect(new Set(anchors.map((a) => a.track)).size).toBe(4);
      if (identificationProbability === 1) {
        const shifts = anchors.map((a, b) => Math.abs(positives[b]!.frame - a.frame));
        expect(Math.max(...shifts)).toBeLessThanOrEqual(PLAIN_SAMPLER.maxShiftFrames);
      }
    }
  });

  it('takes consecutive frames of one track in each window, without augmentation', () => {
    const batch = samplePairs(tracks, 4, PLAIN_SAMPLER, createRng(9));
    for (let row = 0; row < 8; row++) {
      const { track, frame } = origin(batch, row);
      for (let t = 0; t < FRAMES; t++) {
        for (let m = 0; m < N_MELS; m++) {
          expect(batch[row * SIZE + t * N_MELS + m]).toBeCloseTo(
            track * 1000 + frame + t + m / 100,
            3,
          );
        }
      }
    }
  });

  it('throws when there are fewer tracks than pairs in a batch', () => {
    expect(() => samplePairs(tracks.slice(0, 3), 4, TINY_SAMPLER, createRng(1))).toThrow(
      /at least 4/,
    );
  });
});
