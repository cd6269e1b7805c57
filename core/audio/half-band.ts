/**
 * Halving a sample rate cheaply with a half-band low-pass (every other tap zero), for audio that
 * only feeds the descriptors and the fingerprint: the `fast` ingest profile's 44,100 Hz excerpt,
 * whose model spectrogram comes from its own STFT (core/features/wide-band.ts), not from the
 * halved audio. The filter: 47 taps of a Kaiser-windowed (β = 8) ideal half-band low-pass
 * `h[k] = sin(πk/2) / (πk)` (Oppenheim & Schafer, "Discrete-Time Signal Processing", 3rd ed.,
 * §7.6: Kaiser's window method), normalised to unit gain at 0 Hz. Only the centre and the 12
 * pairs of odd taps are non-zero, and each pair shares its coefficient, so an output takes 13
 * multiplies where libswresample's filter (core/audio/decimate.ts) takes 34. Its response
 * ({@link halfBandGain}): flat within 0.01 dB up to 0.20 × the input rate (8.9 kHz at 44.1 kHz,
 * past the model's 8 kHz), −6 dB at 0.25, below −83 dB from 0.30 × (13.3 kHz) on: no alias
 * reaches the fingerprint's 5 kHz band or the chroma, and only the top 2.1 kHz of the
 * descriptors' band sees the transition.
 *
 * @module
 */
import { besselI0, padForResample, resampleLead } from './resample.js';

/** Odd taps on each side of the centre tap (taps ±1, ±3, …, ±(2·PAIRS − 1)). */
const PAIRS = 12;
/** Half the filter's span, samples: 23 (47 taps). */
const REACH = 2 * PAIRS - 1;
/** Kaiser window β (≈ 80 dB stopband: 0.1102 · (A − 8.7), Kaiser 1974). */
const BETA = 8;

/** The centre tap and the odd taps' shared coefficients, `[h0, h1, h3, h5, …]`, unit DC gain. */
const COEFFICIENTS: Float64Array = (() => {
  const c = new Float64Array(PAIRS + 1);
  const window = (k: number) => besselI0(BETA * Math.sqrt(1 - (k / (REACH + 1)) ** 2));
  c[0] = 0.5 * window(0);
  let sum = c[0];
  for (let p = 0; p < PAIRS; p++) {
    const k = 2 * p + 1;
    c[p + 1] = (Math.sin((Math.PI * k) / 2) / (Math.PI * k)) * window(k);
    sum += 2 * c[p + 1]!;
  }
  for (let i = 0; i <= PAIRS; i++) c[i]! /= sum;
  return c;
})();

/**
 * Frequency response of the half-band filter (for tests and the figures above).
 *
 * @param f - frequency as a fraction of the input rate, 0 … 0.5
 * @returns the gain (real: the filter is symmetric), 1 at 0 Hz
 */
export function halfBandGain(f: number): number {
  let g = COEFFICIENTS[0]!;
  for (let p = 0; p < PAIRS; p++) {
    g += 2 * COEFFICIENTS[p + 1]! * Math.cos(2 * Math.PI * f * (2 * p + 1));
  }
  return g;
}

/**
 * Halves the sample rate of mono PCM with the half-band filter (see the module comment), the
 * edges padded as `decimateByTwo` pads them (mirrored before the first sample, reflected after
 * the last).
 *
 * @param pcm - mono samples at 2r Hz (not modified)
 * @returns `ceil(pcm.length / 2)` samples at r Hz, output n centred on input 2n
 */
export function halveSampleRate(pcm: Float32Array): Float32Array {
  const len = pcm.length;
  if (len === 0) return new Float32Array(0);
  const padded = padForResample(pcm, 2, 1);
  const lead = resampleLead(2, 1); // ≥ REACH: libswresample's 66-tap filter reaches further
  const out = new Float32Array(Math.ceil(len / 2));
  const c = COEFFICIENTS;
  const c0 = c[0]!;
  const [c1, c3, c5, c7, c9, c11] = [c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!];
  const [c13, c15, c17, c19, c21, c23] = [c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!];
  for (let n = 0, m = lead; n < out.length; n++, m += 2) {
    const x = padded;
    // Two chains of additions the processor can overlap.
    const a =
      c1 * (x[m + 1]! + x[m - 1]!) +
      c3 * (x[m + 3]! + x[m - 3]!) +
      c5 * (x[m + 5]! + x[m - 5]!) +
      c7 * (x[m + 7]! + x[m - 7]!) +
      c9 * (x[m + 9]! + x[m - 9]!) +
      c11 * (x[m + 11]! + x[m - 11]!);
    const b =
      c13 * (x[m + 13]! + x[m - 13]!) +
      c15 * (x[m + 15]! + x[m - 15]!) +
      c17 * (x[m + 17]! + x[m - 17]!) +
      c19 * (x[m + 19]! + x[m - 19]!) +
      c21 * (x[m + 21]! + x[m - 21]!) +
      c23 * (x[m + 23]! + x[m - 23]!);
    out[n] = c0 * x[m]! + a + b;
  }
  return out;
}
