/** Tiny synthetic training inputs: small enough that a training step takes milliseconds. */
import type { CnnArchitecture } from '../../core/model/cnn.js';
import type { CachedTrack } from '../../training/cache.js';
import { DEFAULT_SAMPLER, type SamplerConfig } from '../../training/sampler.js';

/** A small CNN: 16 frames × 8 mel bands → 8-d embedding. */
export const TINY_ARCH: CnnArchitecture = {
  kind: 'conv1d-stack',
  inputFrames: 16,
  nMels: 8,
  kernelSize: 3,
  channels: [8, 8],
  embeddingSize: 8,
  projectionSize: 8,
};

/** The default sampler, cut down to {@link TINY_ARCH}'s window. */
export const TINY_SAMPLER: SamplerConfig = {
  ...DEFAULT_SAMPLER,
  frames: 16,
  maxShiftFrames: 2,
  freqMask: { probability: 0.5, maxBands: 2 },
  timeMask: { probability: 0.5, maxFrames: 3 },
};

/** No augmentation at all, and views only from the clean spectrogram. */
export const PLAIN_SAMPLER: SamplerConfig = {
  ...TINY_SAMPLER,
  degradedProbability: 0,
  freqMask: { probability: 0, maxBands: 1 },
  timeMask: { probability: 0, maxFrames: 1 },
  maxTilt: 0,
  bandShiftProbability: 0,
};

/**
 * Synthetic cached tracks. Clean value of track `i`, frame `t`, band `m`:
 * `i * 1000 + t + m / 100` (so a window tells which track and frame it came from); the degraded
 * copy is the clean one minus 0.5, so degraded views are recognisable too.
 */
export function syntheticTracks(count: number, frames = 64, nMels = 8): CachedTrack[] {
  return Array.from({ length: count }, (_, i) => {
    const clean = new Float32Array(frames * nMels);
    for (let t = 0; t < frames; t++)
      for (let m = 0; m < nMels; m++) clean[t * nMels + m] = i * 1000 + t + m / 100;
    return {
      file: `/synthetic/track-${i}.ogg`,
      group: `group-${i % 2}`,
      frames,
      nMels,
      clean,
      degraded: [{ data: clean.map((v) => v - 0.5), frames, tempo: 1 }],
    };
  });
}

/**
 * Tracks that a CNN can tell apart: each has its own spectral shape plus noise, as log-mel-like
 * values. Deterministic for a seed.
 */
export function distinctTracks(count: number, seed: number, frames = 64, nMels = 8): CachedTrack[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const clean = new Float32Array(frames * nMels);
    for (let t = 0; t < frames; t++) {
      for (let m = 0; m < nMels; m++) {
        clean[t * nMels + m] = Math.sin((i + 1) * (m + 1) * 0.7 + t * 0.05 * (i + 1)) * 3 + next();
      }
    }
    return {
      file: `/synthetic/${i}.ogg`,
      group: 'g',
      frames,
      nMels,
      clean,
      degraded: [{ data: clean.slice(), frames, tempo: 1 }],
    };
  });
}
