/**
 * MFCC statistics: the classic timbre summary used as the "MFCC mean/std + cosine" baseline in
 * music-similarity evaluation (after Logan 2000, "Mel Frequency Cepstral Coefficients for Music
 * Modeling", ISMIR; Pampalk 2006, "Computational Models of Music Similarity", PhD thesis).
 */
import { SynestheteError } from '../util/errors.js';
import type { LogMelSpectrogram } from './log-mel.js';

const dctCache = new Map<string, Float64Array>();

/**
 * Orthonormal DCT-II matrix (`scipy.fft.dct(type=2, norm='ortho')`, as librosa's `mfcc` uses),
 * row-major `nOut × nIn`: `D[k][m] = s_k cos(π k (2m + 1) / (2 nIn))`, `s_0 = √(1/nIn)`,
 * `s_k = √(2/nIn)`. Cached; do not modify.
 */
export function dctMatrix(nOut: number, nIn: number): Float64Array {
  const key = `${nOut}x${nIn}`;
  let d = dctCache.get(key);
  if (!d) {
    d = new Float64Array(nOut * nIn);
    for (let k = 0; k < nOut; k++) {
      const s = Math.sqrt((k === 0 ? 1 : 2) / nIn);
      for (let m = 0; m < nIn; m++)
        d[k * nIn + m] = s * Math.cos((Math.PI * k * (2 * m + 1)) / (2 * nIn));
    }
    dctCache.set(key, d);
  }
  return d;
}

/**
 * Per-coefficient mean and standard deviation (population, ddof 0) over frames of the MFCCs,
 * i.e. the orthonormal DCT-II of each log-mel frame (natural-log mel, as `computeLogMel` makes it;
 * librosa uses dB, which scales every coefficient by 10/ln 10).
 *
 * @param logMel - a log-mel spectrogram
 * @param nMfcc - number of coefficients kept, 1 … nMels (default 20)
 * @returns `[mean_0 … mean_{n−1}, std_0 … std_{n−1}]`, length `2 · nMfcc`; zeros when there
 *   are no frames
 * @throws SynestheteError `E_CONFIG` when nMfcc is not in 1 … nMels
 */
export function mfccStatistics(logMel: LogMelSpectrogram, nMfcc = 20): Float32Array {
  const { data, frames, nMels } = logMel;
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > nMels) {
    throw new SynestheteError('E_CONFIG', `nMfcc must be an integer in 1…${nMels}, got ${nMfcc}`);
  }
  const dct = dctMatrix(nMfcc, nMels);
  const sum = new Float64Array(nMfcc);
  const sumSq = new Float64Array(nMfcc);
  for (let t = 0; t < frames; t++) {
    const row = t * nMels;
    for (let k = 0; k < nMfcc; k++) {
      let c = 0;
      const drow = k * nMels;
      for (let m = 0; m < nMels; m++) c += dct[drow + m]! * data[row + m]!;
      sum[k]! += c;
      sumSq[k]! += c * c;
    }
  }
  const out = new Float32Array(2 * nMfcc);
  if (frames === 0) return out;
  for (let k = 0; k < nMfcc; k++) {
    const mean = sum[k]! / frames;
    out[k] = mean;
    out[nMfcc + k] = Math.sqrt(Math.max(0, sumSq[k]! / frames - mean * mean));
  }
  return out;
}

/**
 * The means over frames of the first `nMfcc` MFCCs of a log-mel spectrogram — the first half of
 * {@link mfccStatistics} — from the mean log-mel frame: the DCT is linear, so the mean of the
 * frames' DCTs is the DCT of their mean (one DCT instead of one per frame; the same values within
 * rounding, ~1e-15 relative).
 *
 * @param logMel - `frames × nMels` log-mel spectrogram
 * @param nMfcc - number of coefficients (1 … nMels)
 * @returns `nMfcc` means (zeros when there are no frames)
 * @throws SynestheteError `E_CONFIG` when nMfcc is out of range
 */
export function mfccMeans(logMel: LogMelSpectrogram, nMfcc = 20): Float32Array {
  const { data, frames, nMels } = logMel;
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > nMels) {
    throw new SynestheteError('E_CONFIG', `nMfcc must be an integer in 1…${nMels}, got ${nMfcc}`);
  }
  const out = new Float32Array(nMfcc);
  if (frames === 0) return out;
  const meanFrame = new Float64Array(nMels);
  for (let t = 0; t < frames; t++) {
    const row = t * nMels;
    for (let m = 0; m < nMels; m++) meanFrame[m]! += data[row + m]!;
  }
  for (let m = 0; m < nMels; m++) meanFrame[m]! /= frames;
  const dct = dctMatrix(nMfcc, nMels);
  for (let k = 0; k < nMfcc; k++) {
    let c = 0;
    for (let m = 0; m < nMels; m++) c += dct[k * nMels + m]! * meanFrame[m]!;
    out[k] = c;
  }
  return out;
}
