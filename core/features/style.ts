/**
 * Style statistics of a recording, computed from the model's own log-mel spectrogram: what makes
 * two pieces of music sound alike beyond the CNN's few seconds of context.
 *
 * - **MFCC statistics**: mean and standard deviation of 20 MFCCs (Logan 2000).
 * - **MFCC covariance**: the upper triangle of the 20 × 20 covariance matrix of the MFCCs — the
 *   single Gaussian of Musly's timbre model (Mandel & Ellis 2005; Schnitzer 2012), as a vector.
 * - **Modulation spectrum** (a fluctuation pattern, Pampalk 2001; Seyerlehner 2010): in 16
 *   groups of mel bands, the magnitude spectrum of each group's log energy over windows of 256
 *   frames (≈ 6 s at 22,050 Hz and hop 512), averaged over the windows and compressed with
 *   `ln(1 + x)`; the modulation frequencies from one to 60 bins (≈ 0.17–10 Hz): rhythm, tempo
 *   and articulation per register.
 *
 * Each part is standardised with fixed statistics and L2-normalised before it is weighted into
 * the track vector (core/model/fusion.ts), so no part dominates by its length or scale.
 */
import FFT from 'fft.js';
import { SynestheteError } from '../util/errors.js';
import type { LogMelSpectrogram } from './log-mel.js';
import { dctMatrix } from './mfcc.js';

/** Number of MFCCs of the style statistics. */
export const STYLE_MFCC = 20;
/** Groups of mel bands of the modulation spectrum. */
export const MODULATION_GROUPS = 16;
/** Frames per modulation window (a power of two, for the FFT). */
export const MODULATION_WINDOW = 256;
/** Frames between modulation windows. */
export const MODULATION_HOP = 128;
/** Modulation-frequency bins kept, from bin 1 (bin 0, the mean, is removed). */
export const MODULATION_BINS = 60;

/** The parts of the style vector, in order, with their lengths. */
export const STYLE_PARTS = [
  { name: 'mfccStatistics', size: 2 * STYLE_MFCC },
  { name: 'mfccCovariance', size: (STYLE_MFCC * (STYLE_MFCC + 1)) / 2 },
  { name: 'modulation', size: MODULATION_GROUPS * MODULATION_BINS },
] as const;

/** Length of the vector {@link styleStatistics} returns. */
export const STYLE_SIZE = STYLE_PARTS.reduce((n, p) => n + p.size, 0);

const fft = new FFT(MODULATION_WINDOW);
/** numpy.hanning(256): the symmetric Hann window. */
const hann = Float64Array.from(
  { length: MODULATION_WINDOW },
  (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (MODULATION_WINDOW - 1)),
);

/**
 * Style statistics over one or more spectrogram segments of a recording (the segments of a long
 * track analysed in pieces count as one recording; modulation windows stay within a segment).
 *
 * @param segments - log-mel spectrograms with the same `nMels`, a multiple of
 *   {@link MODULATION_GROUPS} and ≥ {@link STYLE_MFCC} (the model's 64 bands), natural-log mel power
 * @returns {@link STYLE_SIZE} raw values: [MFCC means (20), MFCC standard deviations (20), MFCC
 *   covariance upper triangle row by row (210), modulation spectrum group by group (16 × 60)];
 *   parts without enough frames (no frame; fewer than 2 frames for the covariance; no segment of
 *   {@link MODULATION_WINDOW} frames for the modulation) are zeros
 * @throws SynestheteError `E_CONFIG` when the segments' band counts differ or do not fit
 */
export function styleStatistics(segments: readonly LogMelSpectrogram[]): Float32Array {
  const nMels = segments[0]?.nMels ?? MODULATION_GROUPS * 4;
  if (
    segments.some((s) => s.nMels !== nMels) ||
    nMels % MODULATION_GROUPS !== 0 ||
    nMels < STYLE_MFCC
  ) {
    throw new SynestheteError(
      'E_CONFIG',
      `style statistics need spectrograms of one band count, a multiple of ${MODULATION_GROUPS} and at least ${STYLE_MFCC}`,
    );
  }
  const out = new Float32Array(STYLE_SIZE);
  mfccMoments(segments, nMels, out);
  modulationSpectrum(
    segments,
    nMels,
    out.subarray(STYLE_SIZE - MODULATION_GROUPS * MODULATION_BINS),
  );
  return out;
}

/** MFCC means, standard deviations (ddof 0) and covariance (ddof 1) into `out`'s first 250 values. */
function mfccMoments(segments: readonly LogMelSpectrogram[], nMels: number, out: Float32Array) {
  const n = STYLE_MFCC;
  const dct = dctMatrix(n, nMels);
  const sum = new Float64Array(n);
  const cross = new Float64Array(n * n);
  const c = new Float64Array(n);
  let frames = 0;
  for (const { data, frames: count } of segments) {
    for (let t = 0; t < count; t++) {
      const row = t * nMels;
      for (let k = 0; k < n; k++) {
        let v = 0;
        const drow = k * nMels;
        for (let m = 0; m < nMels; m++) v += dct[drow + m]! * data[row + m]!;
        c[k] = v;
        sum[k]! += v;
      }
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) cross[i * n + j]! += c[i]! * c[j]!;
    }
    frames += count;
  }
  if (frames === 0) return;
  const mean = sum.map((s) => s / frames);
  for (let k = 0; k < n; k++) {
    out[k] = mean[k]!;
    out[n + k] = Math.sqrt(Math.max(0, cross[k * n + k]! / frames - mean[k]! ** 2));
  }
  if (frames < 2) return;
  let p = 2 * n;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      out[p++] = (cross[i * n + j]! - frames * mean[i]! * mean[j]!) / (frames - 1);
    }
  }
}

/** The modulation spectrum into `out` (16 × 60, group-major). */
function modulationSpectrum(
  segments: readonly LogMelSpectrogram[],
  nMels: number,
  out: Float32Array,
) {
  const perGroup = nMels / MODULATION_GROUPS;
  const acc = new Float64Array(MODULATION_GROUPS * MODULATION_BINS);
  const signal = new Float64Array(MODULATION_WINDOW);
  const spectrum = fft.createComplexArray() as number[];
  let windows = 0;
  for (const { data, frames } of segments) {
    if (frames < MODULATION_WINDOW) continue;
    // Group energies, frame-major.
    const groups = new Float64Array(frames * MODULATION_GROUPS);
    for (let t = 0; t < frames; t++) {
      for (let m = 0; m < nMels; m++) {
        groups[t * MODULATION_GROUPS + Math.floor(m / perGroup)]! +=
          data[t * nMels + m]! / perGroup;
      }
    }
    for (let start = 0; start + MODULATION_WINDOW <= frames; start += MODULATION_HOP) {
      windows++;
      for (let g = 0; g < MODULATION_GROUPS; g++) {
        let mean = 0;
        for (let t = 0; t < MODULATION_WINDOW; t++) {
          mean += groups[(start + t) * MODULATION_GROUPS + g]!;
        }
        mean /= MODULATION_WINDOW;
        for (let t = 0; t < MODULATION_WINDOW; t++) {
          signal[t] = (groups[(start + t) * MODULATION_GROUPS + g]! - mean) * hann[t]!;
        }
        fft.realTransform(spectrum, signal);
        for (let b = 0; b < MODULATION_BINS; b++) {
          const re = spectrum[2 * (b + 1)]!;
          const im = spectrum[2 * (b + 1) + 1]!;
          acc[g * MODULATION_BINS + b]! += Math.hypot(re, im);
        }
      }
    }
  }
  if (windows === 0) return;
  for (let i = 0; i < acc.length; i++) out[i] = Math.log1p(acc[i]! / windows);
}
