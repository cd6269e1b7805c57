/**
 * Resampling to the fingerprint's sample rate. A clip arrives at the model's rate (22,050 Hz), a
 * catalogue track's stripes at 44,100 Hz; the fingerprint wants 11,025 Hz. A windowed-sinc
 * low-pass (Blackman window) at 0.45 × the new rate removes what would alias, then the signal is
 * read at the new sample positions (exactly every 2nd or 4th sample for a whole ratio, in
 * WebAssembly; linear interpolation otherwise).
 *
 * @module
 */

import { SynestheteError } from '../util/errors.js';
import { kernels as dsp, f32View, f64View, withScratch } from './kernels.js';

/** Taps of the anti-aliasing filter (odd: linear phase, delay (taps − 1) / 2 samples). */
const TAPS = 31;

/** Cut-off of the anti-aliasing filter as a fraction of the new sample rate. */
const CUTOFF = 0.45;

const kernels = new Map<number, Float64Array>();

/** Unit-gain windowed-sinc low-pass with cut-off `fc` (cycles per input sample, < 0.5). */
function lowPassKernel(fc: number): Float64Array {
  let kernel = kernels.get(fc);
  if (kernel) return kernel;
  kernel = new Float64Array(TAPS);
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const blackman =
      0.42 -
      0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) +
      0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    kernel[i] = sinc * blackman;
    sum += kernel[i]!;
  }
  for (let i = 0; i < TAPS; i++) kernel[i]! /= sum;
  kernels.set(fc, kernel);
  return kernel;
}

/**
 * Outputs `first … last` of a decimation by `step`, all of whose taps lie inside `pcm`, in
 * WebAssembly: `out[n] = Σ_k kernel[k] · pcm[step·n − half + k]`, summed in double precision from 0
 * in the order k = 0 … TAPS − 1 (as `resampleMono` sums them), rounded to float32.
 *
 * @param pcm - mono samples
 * @param kernel - the {@link TAPS} filter taps
 * @param step - the decimation factor (a whole number ≥ 2)
 * @param first - first output (step·first − half ≥ 0)
 * @param last - last output (step·last + half ≤ pcm.length − 1)
 * @param out - receives the outputs
 * @returns `last + 1`
 */
function decimateInterior(
  pcm: Float32Array,
  kernel: Float64Array,
  step: number,
  first: number,
  last: number,
  out: Float32Array,
): number {
  const half = (TAPS - 1) / 2;
  const count = last - first + 1;
  const from = step * first - half;
  // Phase p holds pcm[from + p + step·j], j = 0 … count − 1 + ⌊(TAPS − 1 − p) / step⌋; each phase
  // gets the room of phase 0, the longest.
  const stride = count + Math.floor((TAPS - 1) / step);
  const span = step * (count - 1) + TAPS;
  return withScratch((alloc) => {
    const pcmAt = alloc(4 * span);
    const phasesAt = alloc(8 * stride * step);
    const kernelAt = alloc(8 * TAPS);
    const outAt = alloc(4 * count);
    f32View(pcmAt, span).set(pcm.subarray(from, from + span));
    f64View(kernelAt, TAPS).set(kernel);
    for (let p = 0; p < step; p++) {
      const phaseCount = count + Math.floor((TAPS - 1 - p) / step);
      dsp.split_f64(pcmAt + 4 * p, step, phaseCount, phasesAt + 8 * stride * p);
    }
    dsp.firm_f64(phasesAt, stride, step, kernelAt, TAPS, count, outAt);
    out.set(f32View(outAt, count), first);
    return last + 1;
  });
}

/**
 * Resamples mono PCM.
 *
 * @param pcm - mono samples at `fromRate` Hz (not modified)
 * @param fromRate - input sample rate, Hz (> 0)
 * @param toRate - output sample rate, Hz (> 0)
 * @returns `pcm` itself when the rates are equal, else `floor(length × toRate / fromRate)` samples
 * @throws SynestheteError `E_CONFIG` for a non-positive or non-finite rate
 */
export function resampleMono(pcm: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0 && toRate > 0 && Number.isFinite(fromRate) && Number.isFinite(toRate))) {
    throw new SynestheteError('E_CONFIG', `cannot resample from ${fromRate} Hz to ${toRate} Hz`);
  }
  if (fromRate === toRate) return pcm;
  const step = fromRate / toRate;
  const out = new Float32Array(Math.floor(pcm.length / step));
  const len = pcm.length;
  // Up-sampling needs no anti-aliasing: interpolate directly.
  const kernel = step > 1 ? lowPassKernel((CUTOFF * toRate) / fromRate) : undefined;
  const half = (TAPS - 1) / 2;
  /** The (low-passed) input at integer position i; zero outside the signal. */
  const at = (i: number): number => {
    if (kernel === undefined) return i >= 0 && i < len ? pcm[i]! : 0;
    let acc = 0;
    const lo = Math.max(0, i - half);
    const hi = Math.min(len - 1, i + half);
    for (let j = lo; j <= hi; j++) acc += kernel[j - i + half]! * pcm[j]!;
    return acc;
  };
  const integral = Number.isInteger(step);
  if (kernel !== undefined && integral) {
    // Decimation by a whole factor (22,050 or 44,100 → 11,025 Hz): `at(n · step)` written out,
    // each output summing the same products in the same order (identical samples).
    const decimate = (n: number): number => {
      const i = n * step;
      const lo = Math.max(0, i - half);
      const hi = Math.min(len - 1, i + half);
      let acc = 0;
      for (let j = lo, k = lo - i + half; j <= hi; j++, k++) acc += kernel[k]! * pcm[j]!;
      return acc;
    };
    // Outputs whose taps all lie inside the signal: i − half ≥ 0 and i + half ≤ len − 1.
    const first = Math.ceil(half / step);
    const last = Math.min(out.length - 1, Math.floor((len - 1 - half) / step));
    let n = 0;
    for (; n < Math.min(first, out.length); n++) out[n] = decimate(n);
    if (last >= first) {
      // In WebAssembly (core/dsp/kernels.c `firm_f64`), eight outputs at a time in double
      // precision, each summing the same products in the same order (identical samples).
      n = decimateInterior(pcm, kernel, step, first, last, out);
    }
    for (; n < out.length; n++) out[n] = decimate(n);
    return out;
  }
  for (let n = 0; n < out.length; n++) {
    if (integral) {
      out[n] = at(n * step);
      continue;
    }
    const x = n * step;
    const i = Math.floor(x);
    const frac = x - i;
    out[n] = frac === 0 ? at(i) : (1 - frac) * at(i) + frac * at(i + 1);
  }
  return out;
}
