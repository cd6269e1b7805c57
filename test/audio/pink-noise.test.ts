/**
 * The voice-note chain's pink noise (core/audio/voice-note.ts `pinkNoise`): unit RMS, power falling
 * as 1/f (−3 dB an octave) across the band a voice note keeps, close to Gaussian, and the same
 * samples from the same seed.
 */
import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { pinkNoise } from '../../core/audio/voice-note.js';
import { createRng } from '../../core/util/random.js';

const SR = 44_100;
const N = 4096;

/** Mean periodogram of Hann-windowed, half-overlapping frames of `N` samples (Welch's method). */
function welch(x: Float32Array): Float64Array {
  const fft = new FFT(N);
  const out = fft.createComplexArray() as number[];
  const frame = new Array<number>(N);
  const power = new Float64Array(N / 2);
  let frames = 0;
  for (let start = 0; start + N <= x.length; start += N / 2) {
    for (let i = 0; i < N; i++)
      frame[i] = x[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
    fft.realTransform(out, frame);
    for (let k = 0; k < N / 2; k++) power[k]! += out[2 * k]! ** 2 + out[2 * k + 1]! ** 2;
    frames++;
  }
  return power.map((p) => p / frames);
}

/** Mean power of the bins within an octave centred on `hz`. */
function octave(power: Float64Array, hz: number): number {
  const lo = Math.ceil(((hz / Math.SQRT2) * N) / SR);
  const hi = Math.floor((hz * Math.SQRT2 * N) / SR);
  let sum = 0;
  for (let k = lo; k <= hi; k++) sum += power[k]!;
  return sum / (hi - lo + 1);
}

describe('pinkNoise', () => {
  const noise = pinkNoise(20 * SR, createRng(11));

  it('has unit RMS', () => {
    let energy = 0;
    for (const v of noise) energy += v * v;
    expect(Math.sqrt(energy / noise.length)).toBeCloseTo(1, 5);
  });

  it('loses 3 dB an octave from 100 Hz to 12.8 kHz (power ∝ 1/f)', () => {
    const power = welch(noise);
    const centres = [100, 200, 400, 800, 1600, 3200, 6400, 12_800];
    const db = centres.map((hz) => 10 * Math.log10(octave(power, hz)));
    for (let i = 1; i < db.length; i++) {
      const drop = db[i - 1]! - db[i]!;
      expect(drop, `${centres[i - 1]} → ${centres[i]} Hz`).toBeGreaterThan(2.5);
      expect(drop, `${centres[i - 1]} → ${centres[i]} Hz`).toBeLessThan(3.5);
    }
  });

  it('is close to Gaussian (kurtosis near 3) and reproducible from its seed', () => {
    let m2 = 0;
    let m4 = 0;
    for (const v of noise) {
      m2 += v * v;
      m4 += v ** 4;
    }
    const kurtosis = m4 / noise.length / (m2 / noise.length) ** 2;
    expect(kurtosis).toBeGreaterThan(2.8);
    expect(kurtosis).toBeLessThan(3.2);
    expect(pinkNoise(noise.length, createRng(11))).toEqual(noise);
    expect(pinkNoise(noise.length, createRng(12))).not.toEqual(noise);
  });
});
