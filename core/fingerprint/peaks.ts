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
 * Relative margin below a neighbourhood's largest power within which a cell's decibel value is
 * computed to see whether it ties with the maximum. A power ratio of 1 − 10⁻⁵ is 4.3·10⁻⁵ dB,
 * more than one float32 step of any decibel value here (|dB| < 128: 7.6·10⁻⁶), so a cell further
 * below cannot round to the maximum's decibel value.
 */
const TIE_MARGIN = 1 - 1e-5;

/** A cell's log power as the peak picking compares it: float32 dB of `power + 1e-12`. */
const toDb = (shiftedPower: number): number => Math.fround(10 * Math.log10(shiftedPower));

/**
 * Sliding maximum with half-width `half` over `count` values of `src` from `offset` (stride 1),
 * written to `dst` at the same places (van Herk / Gil-Werman: blocks of 2·half + 1, a running
 * maximum forwards and backwards in each, then one comparison per value).
 */
function slidingMax(
  src: Float64Array,
  dst: Float64Array,
  offset: number,
  count: number,
  half: number,
  prefix: Float64Array,
  suffix: Float64Array,
): void {
  const w = 2 * half + 1;
  for (let b = 0; b < count; b += w) {
    const end = Math.min(count, b + w);
    let m = src[offset + b]!;
    prefix[b] = m;
    for (let i = b + 1; i < end; i++) {
      const v = src[offset + i]!;
      if (v > m) m = v;
      prefix[i] = m;
    }
    m = src[offset + end - 1]!;
    suffix[end - 1] = m;
    for (let i = end - 2; i >= b; i--) {
      const v = src[offset + i]!;
      if (v > m) m = v;
      suffix[i] = m;
    }
  }
  for (let i = 0; i < count; i++) {
    const lo = Math.max(i - half, 0);
    const hi = Math.min(i + half, count - 1);
    // [lo, hi] spans at most two blocks: the suffix of lo's and the prefix of hi's (one block:
    // either gives the maximum of [lo, hi] when it starts the block or ends the signal).
    const a = suffix[lo]!;
    const c = prefix[hi]!;
    dst[offset + i] = ((lo / w) | 0) === ((hi / w) | 0) ? (lo % w === 0 ? c : a) : Math.max(a, c);
  }
}

let scratchSpec = new Float64Array(0);
let scratchMax = new Float64Array(0);

/**
 * Most values a scratch array keeps between calls: 60 s of frames of the analysed band (2,585 ×
 * 437 at the default parameters, 9 MB); longer signals get arrays of their own.
 */
const SCRATCH_MAX = 2585 * 437;

/**
 * Two arrays of `length` values for {@link findPeaks} (every value is written before it is
 * read): up to {@link SCRATCH_MAX} the same two from call to call (grown when too short), so a
 * thread fingerprinting excerpt after excerpt does not allocate and zero-fill 9 MB for each.
 */
function scratch(length: number): [Float64Array, Float64Array] {
  if (length > SCRATCH_MAX) return [new Float64Array(length), new Float64Array(length)];
  if (scratchSpec.length < length) {
    scratchSpec = new Float64Array(length);
    scratchMax = new Float64Array(length);
  }
  return [scratchSpec.subarray(0, length), scratchMax.subarray(0, length)];
}

/**
 * Finds the spectral peaks of mono PCM at `params.sampleRate`.
 *
 * The neighbourhood maximum is taken over power rather than decibels — the same cells, as the
 * decibel value rises with the power — and decibels are computed only for cells within
 * {@link TIE_MARGIN} of their neighbourhood's maximum (where a float32 tie can decide), and the
 * time direction is looked at only for cells that are the maximum along frequency: 12–17 ms
 * instead of 25–35 ms of CPU for 15 s on the 2-core development machine (load ≈ 9), with the very
 * same peaks
 * (test/fingerprint/peaks-reference.test.ts).
 *
 * @param pcm - mono samples in [-1, 1] at `params.sampleRate` Hz
 * @param params - analysis and peak-picking parameters (default {@link FINGERPRINT_PARAMS})
 * @returns the peaks, about `peaksPerSecond` per second of music (fewer in quiet passages)
 */
export function findPeaks(pcm: Float32Array, params: PeakParams = FINGERPRINT_PARAMS): Peaks {
  const { nFft, hopLength, minBin, maxBin, peakHalfBins, peakHalfFrames } = params;
  const nb = maxBin - minBin + 1;
  const frameTotal = 1 + Math.floor(pcm.length / hopLength);
  // Power + 1e-12 of the analysed band (what the decibels are taken of), and its maximum along
  // frequency: scratch reused from call to call (9 MB for 30 s, otherwise zero-filled anew).
  const [spec, rowMax] = scratch(frameTotal * nb);
  forEachPowerFrame(pcm, nFft, hopLength, (t, power) => {
    const row = t * nb;
    for (let k = 0; k < nb; k++) spec[row + k] = power[minBin + k]! + 1e-12;
  });
  // Maximum along frequency.
  const prefix = new Float64Array(nb);
  const suffix = new Float64Array(nb);
  for (let t = 0; t < frameTotal; t++) {
    slidingMax(spec, rowMax, t * nb, nb, peakHalfBins, prefix, suffix);
  }
  const candFrames: number[] = [];
  const candBins: number[] = [];
  const candDb: number[] = [];
  for (let t = 0; t < frameTotal; t++) {
    const row = t * nb;
    const from = Math.max(t - peakHalfFrames, 0);
    const to = Math.min(t + peakHalfFrames, frameTotal - 1);
    for (let k = 0; k < nb; k++) {
      const p = spec[row + k]!;
      if (p < rowMax[row + k]! * TIE_MARGIN) continue;
      // Maximum of the whole rectangle: along time over the frequency maxima.
      let box = 0;
      for (let u = from; u <= to; u++) {
        const m = rowMax[u * nb + k]!;
        if (m > box) box = m;
      }
      if (p < box * TIE_MARGIN) continue;
      const v = toDb(p);
      if (v === toDb(box) && v > MIN_PEAK_DB) {
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
