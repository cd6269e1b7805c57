/**
 * Global tempo after Ellis 2007, "Beat Tracking by Dynamic Programming", J. New Music Research
 * 36(1): an onset-strength envelope (spectral flux of a dB mel spectrogram, half-wave rectified
 * and averaged over bands), high-passed and lightly smoothed, then its autocorrelation weighted by
 * a log-normal (Gaussian in log₂ tempo) prior centred at 120 BPM. The prior width (1 octave) is
 * librosa's `beat.tempo` default (`start_bpm=120, std_bpm=1.0`). The peak lag is refined by
 * parabolic interpolation so the estimate is not quantised to whole frames.
 */
import type { MelBlockSink } from './log-mel.js';
import { applyMel, type MelFilterbank, melFilterbank } from './mel.js';
import { forEachPowerFrame } from './stft.js';

/** Tempo range searched, BPM. */
export const TEMPO_MIN_BPM = 60;
/** Tempo range searched, BPM. */
export const TEMPO_MAX_BPM = 200;
/** Centre of the tempo prior, BPM (Ellis 2007: τ0 = 0.5 s). */
export const TEMPO_PRIOR_BPM = 120;
/** Width of the tempo prior, octaves (librosa `std_bpm`). */
export const TEMPO_PRIOR_OCTAVES = 1;

/** Onset-strength envelope and its frame rate. */
export interface OnsetEnvelope {
  /** One value per frame (≥ 0). */
  readonly values: Float64Array;
  /** Frames per second. */
  readonly frameRate: number;
}

/** A global tempo estimate. */
export interface TempoEstimate {
  /** Tempo in BPM within 60–200, or null when the audio is too short or has no pulse. */
  readonly bpm: number | null;
  /** Normalised autocorrelation at the chosen period, 0…1 (1: perfectly periodic onsets). */
  readonly confidence: number;
}

/** Mel bands of the onset envelope (Ellis 2007 used 40). */
const ONSET_BANDS = 40;

/**
 * Onset strength: `o[t] = mean_m max(0, S[t,m] − S[t−1,m])` with `S` the mel power in dB
 * (floored 80 dB below its maximum), 40 Slaney bands from 30 Hz to min(8 kHz, sr/2), frames of
 * ≈ 46 ms with a hop of ≈ 23 ms (librosa `onset.onset_strength` defaults, 40 bands as in Ellis).
 *
 * Built frame by frame from power spectra, or block by block from its own bands' powers, so that
 * a caller already running the same STFT (the model's log-mel spectrogram uses the same
 * 1,024-point frames and 512-sample hop at 22,050 Hz) can feed it instead of running a second
 * one: see {@link OnsetAccumulator.nFft}. `computeLogMels` does the latter (it is a
 * `MelBlockSink`): its bands are projected in the DSP kernels with the spectrograms' own.
 */
export class OnsetAccumulator implements MelBlockSink {
  /** FFT size the power spectra must have: ≈ 46 ms at the sample rate, a power of two. */
  readonly nFft: number;
  /** Hop between frames, samples (`nFft / 2`). */
  readonly hopLength: number;
  readonly #bank: ReturnType<typeof melFilterbank>;
  readonly #db: Float64Array;
  readonly #mel = new Float64Array(ONSET_BANDS);
  readonly #frames: number;
  readonly #frameRate: number;
  #maxDb = -Infinity;

  /**
   * @param sampleRate - Hz
   * @param samples - length of the PCM whose frames will be added
   */
  constructor(sampleRate: number, samples: number) {
    this.nFft = 2 ** Math.round(Math.log2((sampleRate * 1024) / 22050));
    this.hopLength = this.nFft / 2;
    this.#bank = melFilterbank({
      sampleRate,
      nFft: this.nFft,
      nMels: ONSET_BANDS,
      fMin: 30,
      fMax: Math.min(8000, sampleRate / 2),
    });
    this.#frames = 1 + Math.floor(samples / this.hopLength);
    this.#db = new Float64Array(this.#frames * ONSET_BANDS);
    this.#frameRate = sampleRate / this.hopLength;
  }

  /** The 40-band filterbank at the accumulator's sample rate and `nFft` (see `MelBlockSink`). */
  get bank(): MelFilterbank {
    return this.#bank;
  }

  /** Adds frame `t`'s power spectrum (length `nFft / 2 + 1`, as `forEachPowerFrame` gives it). */
  add(t: number, power: ArrayLike<number>): void {
    applyMel(this.#bank, power, this.#mel);
    this.addMelBlock(t, 1, this.#mel);
  }

  /**
   * Adds frames `first … first + count − 1` from their band powers through {@link bank} (as
   * `computeLogMels` hands them to a `MelBlockSink`).
   *
   * @param mel - `count × 40` mel powers, frame-major
   */
  addMelBlock(first: number, count: number, mel: ArrayLike<number>): void {
    const db = this.#db;
    let maxDb = this.#maxDb;
    for (let j = 0, at = first * ONSET_BANDS; j < count * ONSET_BANDS; j++, at++) {
      const v = 10 * Math.log10(Math.max(mel[j]!, 1e-10));
      db[at] = v;
      if (v > maxDb) maxDb = v;
    }
    this.#maxDb = maxDb;
  }

  /** The envelope once every frame was added. */
  result(): OnsetEnvelope {
    const db = this.#db;
    const frames = this.#frames;
    const floor = this.#maxDb - 80;
    const values = new Float64Array(frames);
    for (let t = 1; t < frames; t++) {
      let sum = 0;
      for (let m = 0; m < ONSET_BANDS; m++) {
        const d =
          Math.max(db[t * ONSET_BANDS + m]!, floor) -
          Math.max(db[(t - 1) * ONSET_BANDS + m]!, floor);
        if (d > 0) sum += d;
      }
      values[t] = sum / ONSET_BANDS;
    }
    return { values, frameRate: this.#frameRate };
  }
}

/**
 * The onset-strength envelope of mono PCM (see {@link OnsetAccumulator}).
 *
 * @param pcm - mono samples
 * @param sampleRate - Hz
 */
export function onsetEnvelope(pcm: Float32Array, sampleRate: number): OnsetEnvelope {
  const onset = new OnsetAccumulator(sampleRate, pcm.length);
  forEachPowerFrame(pcm, onset.nFft, onset.hopLength, (t, power) => onset.add(t, power));
  return onset.result();
}

/**
 * Estimates the global tempo from an onset envelope (see the module comment).
 *
 * @param envelope - from {@link onsetEnvelope}
 * @returns BPM (60–200) and confidence; `bpm` null when fewer than two periods of the slowest
 *   tempo fit, or the envelope is flat
 */
export function estimateTempo(envelope: OnsetEnvelope): TempoEstimate {
  const { frameRate } = envelope;
  const x = conditionEnvelope(envelope.values, frameRate);
  const n = x.length;
  const lagMin = Math.max(1, Math.floor((60 * frameRate) / TEMPO_MAX_BPM) - 1);
  const lagMax = Math.ceil((60 * frameRate) / TEMPO_MIN_BPM) + 1;
  if (n < 2 * lagMax) return { bpm: null, confidence: 0 };

  const ac0 = autocorrelation(x, 0);
  if (!(ac0 > 1e-12)) return { bpm: null, confidence: 0 };
  const ac = new Float64Array(lagMax + 2);
  for (let lag = lagMin - 1; lag <= lagMax + 1; lag++) ac[lag] = autocorrelation(x, lag) / ac0;

  const weight = (lag: number): number => {
    const octaves = Math.log2((60 * frameRate) / lag / TEMPO_PRIOR_BPM) / TEMPO_PRIOR_OCTAVES;
    return Math.exp(-0.5 * octaves * octaves);
  };
  let best = -1;
  let bestScore = -Infinity;
  for (let lag = lagMin; lag <= lagMax; lag++) {
    const bpm = (60 * frameRate) / lag;
    if (bpm < TEMPO_MIN_BPM - 2 || bpm > TEMPO_MAX_BPM + 2) continue;
    const score = weight(lag) * ac[lag]!;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  if (best < 0 || !(ac[best]! > 0)) return { bpm: null, confidence: 0 };
  // Parabolic interpolation of the autocorrelation peak.
  const a = ac[best - 1]!;
  const b = ac[best]!;
  const c = ac[best + 1]!;
  const denom = a - 2 * b + c;
  const delta = denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
  const peak = b - 0.25 * (a - c) * delta;
  const bpm = (60 * frameRate) / (best + delta);
  return {
    bpm: Math.min(TEMPO_MAX_BPM, Math.max(TEMPO_MIN_BPM, bpm)),
    confidence: Math.min(1, Math.max(0, peak)),
  };
}

/**
 * Ellis 2007 §3.1: remove the slowly varying level (high-pass, here by subtracting a 1-s moving
 * average) and smooth with a Gaussian (σ = 1 frame ≈ 23 ms) so that onsets falling between frames
 * still line up in the autocorrelation.
 */
function conditionEnvelope(values: Float64Array, frameRate: number): Float64Array {
  const n = values.length;
  const half = Math.max(1, Math.round(frameRate / 2));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + values[i]!;
  const hp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    hp[i] = values[i]! - (prefix[hi]! - prefix[lo]!) / (hi - lo);
  }
  const kernel = [0.0044, 0.054, 0.242, 0.399, 0.242, 0.054, 0.0044];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = -3; j <= 3; j++) {
      const k = i + j;
      if (k >= 0 && k < n) s += kernel[j + 3]! * hp[k]!;
    }
    out[i] = s;
  }
  return out;
}

/** Unbiased autocorrelation at `lag`: mean of x[t]·x[t+lag]. */
function autocorrelation(x: Float64Array, lag: number): number {
  const n = x.length - lag;
  if (n <= 0) return 0;
  let s = 0;
  for (let t = 0; t < n; t++) s += x[t]! * x[t + lag]!;
  return s / n;
}
