/**
 * Spectral peaks: the "constellation map" of A. Wang, "An Industrial-Strength Audio Search
 * Algorithm", ISMIR 2003, §2.1. A time-frequency point is a peak when its log power is the
 * largest of a rectangle around it ({@link FINGERPRINT_PARAMS} `peakHalfFrames` ×
 * `peakHalfBins`); of those, each keeps its place only when fewer than `peaksPerSecond` peaks of
 * the surrounding second are stronger (a sliding window, so the choice does not depend on where
 * a clip starts). Peaks survive noise, equalisation and codecs far better than the rest of the
 * spectrum, which is why they, not magnitudes, are hashed.
 *
 * @module
 */

import { forEachPowerFrame } from '../features/stft.js';
import { FINGERPRINT_PARAMS } from './params.js';

/** Peaks of a signal, in time order (ties by frequency). */
export interface Peaks {
  /** Frame of each peak (frame t is centred on sample t × hopLength). */
  readonly frames: Int32Array;
  /** FFT bin of each peak (bin k is at k × sampleRate / nFft Hz). */
  readonly bins: Int32Array;
  /** Log power of each peak, dB (10·log10 of |X|², samples in [-1, 1]). */
  readonly db: Float32Array;
  /** Number of STFT frames the signal had. */
  readonly frameCount: number;
}

/** Parameters of {@link findPeaks} (default {@link FINGERPRINT_PARAMS}). */
export type PeakParams = typeof FINGERPRINT_PARAMS;

/** Power floor: cells quieter than this (dB) are never peaks (digital silence, fades). */
const MIN_PEAK_DB = -40;

/**
 * Sliding maximum over `count` values `src[offset + i·stride]` with half-width `half`
 * (van Herk / Gil-Werman: three passes whatever the width), written to `dst` at the same places.
 */
function slidingMax(
  src: Float32Array,
  dst: Float32Array,
  offset: number,
  stride: number,
  count: number,
  half: number,
  prefix: Float32Array,
  suffix: Float32Array,
): void {
  const w = 2 * half + 1;
  for (let i = 0; i < count; i++) {
    const v = src[offset + i * stride]!;
    prefix[i] = i % w === 0 ? v : Math.max(prefix[i - 1]!, v);
  }
  for (let i = count - 1; i >= 0; i--) {
    const v = src[offset + i * stride]!;
    suffix[i] = i === count - 1 || (i + 1) % w === 0 ? v : Math.max(suffix[i + 1]!, v);
  }
  for (let i = 0; i < count; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(count - 1, i + half);
    // [lo, hi] spans at most two blocks of width w: suffix of lo's block, prefix of hi's. Within
    // one block it starts the block (prefix) or, clipped at the end, ends the signal (suffix).
    if (Math.floor(lo / w) !== Math.floor(hi / w))
      dst[offset + i * stride] = Math.max(suffix[lo]!, prefix[hi]!);
    else dst[offset + i * stride] = lo % w === 0 ? prefix[hi]! : suffix[lo]!;
  }
}

/**
 * Finds the spectral peaks of mono PCM at `params.sampleRate`.
 *
 * @param pcm - mono samples in [-1, 1] at `params.sampleRate` Hz
 * @param params - analysis and peak-picking parameters (default {@link FINGERPRINT_PARAMS})
 * @returns the peaks, about `peaksPerSecond` per second of music (fewer in quiet passages)
 */
export function findPeaks(pcm: Float32Array, params: PeakParams = FINGERPRINT_PARAMS): Peaks {
  const { nFft, hopLength, minBin, maxBin, peakHalfBins, peakHalfFrames } = params;
  const nb = maxBin - minBin + 1;
  const frameTotal = 1 + Math.floor(pcm.length / hopLength);
  const spec = new Float32Array(frameTotal * nb);
  forEachPowerFrame(pcm, nFft, hopLength, (t, power) => {
    const row = t * nb;
    for (let k = 0; k < nb; k++) spec[row + k] = 10 * Math.log10(power[minBin + k]! + 1e-12);
  });
  // Maximum over the rectangle: along frequency, then along time.
  const rowMax = new Float32Array(spec.length);
  const boxMax = new Float32Array(spec.length);
  const scratch = Math.max(nb, frameTotal);
  const prefix = new Float32Array(scratch);
  const suffix = new Float32Array(scratch);
  for (let t = 0; t < frameTotal; t++) {
    slidingMax(spec, rowMax, t * nb, 1, nb, peakHalfBins, prefix, suffix);
  }
  for (let k = 0; k < nb; k++) {
    slidingMax(rowMax, boxMax, k, nb, frameTotal, peakHalfFrames, prefix, suffix);
  }
  const candFrames: number[] = [];
  const candBins: number[] = [];
  const candDb: number[] = [];
  for (let t = 0; t < frameTotal; t++) {
    const row = t * nb;
    for (let k = 0; k < nb; k++) {
      const v = spec[row + k]!;
      if (v === boxMax[row + k] && v > MIN_PEAK_DB) {
        candFrames.push(t);
        candBins.push(minBin + k);
        candDb.push(v);
      }
    }
  }
  // Density: keep a peak when fewer than peaksPerSecond peaks within ±½ s are stronger, and
  // it is within peakFloorDb of the strongest of them.
  const half = Math.round(params.sampleRate / hopLength / 2);
  const keep: number[] = [];
  let lo = 0;
  let hi = 0;
  const n = candFrames.length;
  for (let i = 0; i < n; i++) {
    const t = candFrames[i]!;
    while (candFrames[lo]! < t - half) lo++;
    while (hi < n && candFrames[hi]! <= t + half) hi++;
    const v = candDb[i]!;
    let stronger = 0;
    let loudest = v;
    for (let j = lo; j < hi; j++) {
      const u = candDb[j]!;
      if (u > v || (u === v && j < i)) stronger++;
      if (u > loudest) loudest = u;
    }
    if (stronger < params.peaksPerSecond && loudest - v <= params.peakFloorDb) keep.push(i);
  }
  const frames = new Int32Array(keep.length);
  const bins = new Int32Array(keep.length);
  const db = new Float32Array(keep.length);
  keep.forEach((i, j) => {
    frames[j] = candFrames[i]!;
    bins[j] = candBins[i]!;
    db[j] = candDb[i]!;
  });
  return { frames, bins, db, frameCount: frameTotal };
}
