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

import { f64View, i32View, kernels, withScratch } from '../dsp/kernels.js';
import { forEachPowerBlock } from '../features/stft.js';
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
 * Finds the spectral peaks of mono PCM at `params.sampleRate`.
 *
 * The neighbourhood maximum is taken over power rather than decibels — the same cells, as the
 * decibel value rises with the power — and decibels are computed only for cells within
 * {@link TIE_MARGIN} of their neighbourhood's maximum (where a float32 tie can decide), and the
 * time direction is looked at only for cells that are the maximum along frequency, with the very
 * same peaks (test/fingerprint/peaks-reference.test.ts). The search runs in WebAssembly
 * (core/dsp/kernels.c `peak_candidates`, 128-bit SIMD): 30 s at 11,025 Hz in ~1.5 ms of CPU
 * besides the STFT on the 2-core development machine, where the scalar kernel before it took
 * ~5.3 ms (and JavaScript ~12 ms on an earlier, slower machine).
 *
 * @param pcm - mono samples in [-1, 1] at `params.sampleRate` Hz
 * @param params - analysis and peak-picking parameters (default {@link FINGERPRINT_PARAMS})
 * @returns the peaks, about `peaksPerSecond` per second of music (fewer in quiet passages)
 */
export function findPeaks(pcm: Float32Array, params: PeakParams = FINGERPRINT_PARAMS): Peaks {
  const { nFft, hopLength, minBin, maxBin, peakHalfBins, peakHalfFrames } = params;
  const nb = maxBin - minBin + 1;
  const frameTotal = 1 + Math.floor(pcm.length / hopLength);
  const spectrumBins = nFft / 2 + 1;
  const cells = frameTotal * nb;
  const candFrames: number[] = [];
  const candBins: number[] = [];
  const candDb: number[] = [];
  withScratch((alloc) => {
    // Power + 1e-12 of the analysed band (what the decibels are taken of), then the cells that
    // are, within TIE_MARGIN, the maximum of their rectangle, in WebAssembly (core/dsp/kernels.c
    // `band_f64`, `peak_candidates`: the maximum along frequency first, then along time over
    // those maxima for the cells that are the maximum along frequency).
    const specAt = alloc(8 * cells);
    const rowMaxAt = alloc(8 * cells);
    const padAt = alloc(8 * (nb + 2 * peakHalfBins));
    const listedAt = alloc(4 * (peakHalfFrames + 1) * (nb + 1));
    const candAt = alloc(4 * cells);
    forEachPowerBlock(pcm, nFft, hopLength, (first, count, powerAt) => {
      kernels.band_f64(powerAt, spectrumBins, count, minBin, nb, 1e-12, specAt + 8 * first * nb);
    });
    const n = kernels.peak_candidates(
      specAt,
      frameTotal,
      nb,
      peakHalfBins,
      peakHalfFrames,
      TIE_MARGIN,
      rowMaxAt,
      padAt,
      listedAt,
      candAt,
    );
    const spec = f64View(specAt, cells);
    const rowMax = f64View(rowMaxAt, cells);
    const cand = i32View(candAt, n);
    for (let i = 0; i < n; i++) {
      const cell = cand[i]!;
      const t = Math.floor(cell / nb);
      const k = cell - t * nb;
      // The rectangle's maximum: along time over the maxima along frequency.
      let box = 0;
      const to = Math.min(t + peakHalfFrames, frameTotal - 1);
      for (let u = Math.max(t - peakHalfFrames, 0); u <= to; u++) {
        const m = rowMax[u * nb + k]!;
        if (m > box) box = m;
      }
      const v = toDb(spec[cell]!);
      if (v === toDb(box) && v > MIN_PEAK_DB) {
        candFrames.push(t);
        candBins.push(minBin + k);
        candDb.push(v);
      }
    }
  });
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
