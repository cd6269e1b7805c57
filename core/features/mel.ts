/**
 * Mel filterbank identical to `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False,
 * norm='slaney')`: triangular filters whose edges are equally spaced on the Slaney mel scale
 * (Slaney 1998, "Auditory Toolbox", Interval Research Tech. Report #1998-010: linear below
 * 1 kHz at 200/3 Hz per mel, logarithmic above with step ln(6.4)/27), each scaled by
 * 2 / (upper edge − lower edge) so that every band has the same area ("slaney" normalisation).
 */
import { SynestheteError } from '../util/errors.js';

/** The parameters a filterbank depends on (a subset of `LogMelParams`). */
export interface MelBankParams {
  /** Sample rate, Hz. */
  readonly sampleRate: number;
  /** FFT size; the filterbank covers bins 0 … nFft/2. */
  readonly nFft: number;
  /** Number of mel bands. */
  readonly nMels: number;
  /** Lowest filter edge, Hz. */
  readonly fMin: number;
  /** Highest filter edge, Hz (≤ sampleRate / 2). */
  readonly fMax: number;
}

/** A mel filterbank, stored sparsely: band m has non-zero weights on bins [start[m], end[m]). */
export interface MelFilterbank {
  readonly nMels: number;
  /** nFft / 2 + 1. */
  readonly bins: number;
  /** Dense weights, band-major: `weights[m * bins + k]`. */
  readonly weights: Float32Array;
  /** First bin with a non-zero weight, per band. */
  readonly start: Int32Array;
  /** One past the last bin with a non-zero weight, per band. */
  readonly end: Int32Array;
  /** Centre frequency of each band (its triangle's apex), Hz. */
  readonly centersHz: Float64Array;
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz → Slaney mel (librosa `hz_to_mel(htk=False)`). */
export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

/** Slaney mel → Hz (librosa `mel_to_hz(htk=False)`). */
export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

const cache = new Map<string, MelFilterbank>();

/**
 * The Slaney mel filterbank for `params`, cached per parameter set (do not modify the result).
 *
 * @param params - sample rate, FFT size, band count and frequency range
 * @returns the filterbank, `nMels × (nFft/2 + 1)`
 * @throws SynestheteError `E_CONFIG` when the parameters are inconsistent
 */
export function melFilterbank(params: MelBankParams): MelFilterbank {
  const { sampleRate, nFft, nMels, fMin, fMax } = params;
  const key = `${sampleRate}|${nFft}|${nMels}|${fMin}|${fMax}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!(sampleRate > 0) || !(nFft >= 2) || !Number.isInteger(nMels) || nMels < 1) {
    throw new SynestheteError('E_CONFIG', `invalid mel parameters: ${key}`);
  }
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new SynestheteError('E_CONFIG', `mel range must satisfy 0 ≤ fMin < fMax ≤ sr/2: ${key}`);
  }
  const bins = Math.floor(nFft / 2) + 1;
  // nMels + 2 edges equally spaced in mel between fMin and fMax (librosa mel_frequencies).
  const melLo = hzToMel(fMin);
  const melHi = hzToMel(fMax);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++)
    edges[i] = melToHz(melLo + ((melHi - melLo) * i) / (nMels + 1));
  const weights = new Float32Array(nMels * bins);
  const start = new Int32Array(nMels).fill(bins);
  const end = new Int32Array(nMels);
  const centersHz = new Float64Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const lo = edges[m]!;
    const mid = edges[m + 1]!;
    const hi = edges[m + 2]!;
    centersHz[m] = mid;
    const enorm = 2 / (hi - lo);
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (w > 0) {
        weights[m * bins + k] = w * enorm;
        if (k < start[m]!) start[m] = k;
        end[m] = k + 1;
      }
    }
    if (end[m] === 0) start[m] = 0;
  }
  const bank: MelFilterbank = { nMels, bins, weights, start, end, centersHz };
  cache.set(key, bank);
  return bank;
}

/**
 * Applies `bank` to one power spectrum: `out[m] = Σ_k weights[m,k] · power[k]`.
 *
 * @param bank - the filterbank
 * @param power - one frame's power spectrum, length `bank.bins`
 * @param out - receives `bank.nMels` band energies
 * @param outOffset - where in `out` to write (default 0)
 */
export function applyMel(
  bank: MelFilterbank,
  power: ArrayLike<number>,
  out: Float32Array | Float64Array,
  outOffset = 0,
): void {
  const { weights, start, end, bins, nMels } = bank;
  for (let m = 0; m < nMels; m++) {
    let sum = 0;
    const row = m * bins;
    for (let k = start[m]!, e = end[m]!; k < e; k++) sum += weights[row + k]! * power[k]!;
    out[outOffset + m] = sum;
  }
}
