/**
 * Positive pairs for contrastive training. Every pair is two windows of one track:
 * - an "identification" pair: nearly the same moment (±`maxShiftFrames`), one view usually from the
 *   voice-note version — teaches that a phone recording of a song is that song;
 * - a "style" pair: two different moments of the track — teaches that what sounds alike (the same
 *   instruments, production, tempo) lies close, which is what similar-song search needs.
 * Other tracks in the batch are the negatives (SimCLR, Chen et al. 2020).
 */

import { type Rng, randomInt } from '../core/util/random.js';
import type { CachedTrack } from './cache.js';

/** Sampling and spectrogram-augmentation settings (one place, as issue "Model quality" asks). */
export interface SamplerConfig {
  /** Frames per window. */
  readonly frames: number;
  /** Probability that a pair is an identification pair (else a style pair). */
  readonly identificationProbability: number;
  /** Largest time offset between the two views of an identification pair, in frames. */
  readonly maxShiftFrames: number;
  /** Probability that a view is taken from the voice-note version. */
  readonly degradedProbability: number;
  /** Probability of one frequency mask (SpecAugment, Park et al. 2019) and its largest width in bands. */
  readonly freqMask: { readonly probability: number; readonly maxBands: number };
  /** Probability of one time mask and its largest width in frames. */
  readonly timeMask: { readonly probability: number; readonly maxFrames: number };
  /** Largest spectral tilt added across the mel axis, in natural-log units end to end. */
  readonly maxTilt: number;
  /** Probability of shifting the mel axis by ±1 band (a small pitch shift). */
  readonly bandShiftProbability: number;
}

/** Defaults used for the shipped model. */
export const DEFAULT_SAMPLER: SamplerConfig = {
  frames: 128,
  identificationProbability: 0.5,
  maxShiftFrames: 16,
  degradedProbability: 0.5,
  freqMask: { probability: 0.5, maxBands: 8 },
  timeMask: { probability: 0.5, maxFrames: 16 },
  maxTilt: 1.5,
  bandShiftProbability: 0.3,
};

/** Copies one window starting at `start` (looping short tracks) into `out` at `offset`. */
function copyWindow(
  source: Float32Array,
  trackFrames: number,
  nMels: number,
  start: number,
  frames: number,
  out: Float32Array,
  offset: number,
): void {
  for (let t = 0; t < frames; t++) {
    const src = (((start + t) % trackFrames) + trackFrames) % trackFrames;
    out.set(source.subarray(src * nMels, (src + 1) * nMels), offset + t * nMels);
  }
}

/** Applies tilt, band shift and masks to one window in place (before normalisation). */
function augment(
  view: Float32Array,
  frames: number,
  nMels: number,
  config: SamplerConfig,
  rng: Rng,
): void {
  let mean = 0;
  for (let i = 0; i < view.length; i++) mean += view[i]!;
  mean /= view.length;
  const tilt = (rng() * 2 - 1) * config.maxTilt;
  const shift = rng() < config.bandShiftProbability ? (rng() < 0.5 ? -1 : 1) : 0;
  const row = new Float32Array(nMels);
  for (let t = 0; t < frames; t++) {
    const base = t * nMels;
    row.set(view.subarray(base, base + nMels));
    for (let m = 0; m < nMels; m++) {
      const src = Math.min(nMels - 1, Math.max(0, m - shift));
      view[base + m] = row[src]! + tilt * (m / (nMels - 1) - 0.5);
    }
  }
  if (rng() < config.freqMask.probability) {
    const width = randomInt(rng, 1, config.freqMask.maxBands);
    const from = randomInt(rng, 0, nMels - width);
    for (let t = 0; t < frames; t++) view.fill(mean, t * nMels + from, t * nMels + from + width);
  }
  if (rng() < config.timeMask.probability) {
    const width = randomInt(rng, 1, config.timeMask.maxFrames);
    const from = randomInt(rng, 0, frames - width);
    view.fill(mean, from * nMels, (from + width) * nMels);
  }
}

/**
 * Draws a batch of `batchSize` positive pairs from distinct tracks.
 *
 * @returns windows (2 × batchSize) × frames × nMels: rows 0..B-1 are first views, B..2B-1 their
 *   positives in the same order; not normalised
 * @throws Error when there are fewer tracks than `batchSize`
 */
export function samplePairs(
  tracks: readonly CachedTrack[],
  batchSize: number,
  config: SamplerConfig,
  rng: Rng,
): Float32Array {
  if (tracks.length < batchSize)
    throw new Error(`need at least ${batchSize} tracks, have ${tracks.length}`);
  const first = tracks[0]!;
  const nMels = first.nMels;
  const size = config.frames * nMels;
  const out = new Float32Array(2 * batchSize * size);
  const chosen = new Set<number>();
  while (chosen.size < batchSize) chosen.add(Math.floor(rng() * tracks.length));
  let b = 0;
  for (const index of chosen) {
    const track = tracks[index]!;
    const last = Math.max(0, track.frames - config.frames);
    const anchor = randomInt(rng, 0, last);
    const positive =
      rng() < config.identificationProbability
        ? Math.min(
            last,
            Math.max(0, anchor + randomInt(rng, -config.maxShiftFrames, config.maxShiftFrames)),
          )
        : randomInt(rng, 0, last);
    // A view is clean or one of the voice-note versions; `start` is in clean frames and is mapped
    // through the version's tempo factor.
    const copy = (start: number, offset: number) => {
      const view =
        rng() < config.degradedProbability && track.degraded.length > 0
          ? track.degraded[Math.floor(rng() * track.degraded.length)]!
          : { data: track.clean, frames: track.frames, tempo: 1 };
      const mapped = Math.min(
        Math.max(0, view.frames - config.frames),
        Math.round(start / view.tempo),
      );
      copyWindow(view.data, view.frames, nMels, mapped, config.frames, out, offset);
    };
    copy(anchor, b * size);
    copy(positive, (b + batchSize) * size);
    augment(out.subarray(b * size, (b + 1) * size), config.frames, nMels, config, rng);
    augment(
      out.subarray((b + batchSize) * size, (b + batchSize + 1) * size),
      config.frames,
      nMels,
      config,
      rng,
    );
    b++;
  }
  return out;
}
