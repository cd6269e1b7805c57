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
import { f32View, kernels, withScratch } from '../dsp/kernels.js';
import { besselI0, paddedLength, padForResample, resampleLead } from './resample.js';

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
  const lead = resampleLead(2, 1); // ≥ REACH: libswresample's 66-tap filter reaches further
  const count = Math.ceil(len / 2);
  const size = paddedLength(len, 2, 1);
  // In WebAssembly (core/dsp/kernels.c `half_band_f32`), four outputs at a time in float32: the
  // centre phase e[n] = x[lead + 2n] and the odd-tap phase o[j] = x[lead − REACH + 2j], so that
  // x[m ± (2p + 1)] for m = lead + 2n are o[n + PAIRS + p] and o[n + PAIRS − 1 − p].
  return withScratch((alloc) => {
    const paddedAt = alloc(4 * size);
    const centreAt = alloc(4 * count);
    const oddCount = count + 2 * PAIRS - 1;
    const oddAt = alloc(4 * oddCount);
    const coefficientsAt = alloc(4 * (PAIRS + 1));
    const outAt = alloc(4 * count);
    const padded = f32View(paddedAt, size);
    padded.fill(0, lead + len); // zeros past the reflection, as padForResample wants them
    padForResample(pcm, 2, 1, padded);
    f32View(coefficientsAt, PAIRS + 1).set(COEFFICIENTS);
    kernels.split2_f32(paddedAt + 4 * lead, count, centreAt);
    kernels.split2_f32(paddedAt + 4 * (lead - REACH), oddCount, oddAt);
    kernels.half_band_f32(centreAt, oddAt, coefficientsAt, PAIRS, count, outAt);
    return f32View(outAt, count).slice();
  });
}
