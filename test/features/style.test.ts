/**
 * Style statistics (core/features/style.ts) on real music and on signals whose answer is known:
 * the MFCC moments agree with the MFCC-statistics baseline, and the modulation spectrum peaks at
 * the rate a noise is amplitude-modulated at, in the band group the noise is in.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { mfccStatistics } from '../../core/features/mfcc.js';
import {
  MODULATION_BINS,
  MODULATION_GROUPS,
  MODULATION_WINDOW,
  STYLE_MFCC,
  STYLE_SIZE,
  styleStatistics,
} from '../../core/features/style.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { demoTrack } from '../helpers/paths.js';
import { noise } from './signals.js';

const params = DEFAULT_LOG_MEL;
const framesPerSecond = params.sampleRate / params.hopLength;
const modulationStart = STYLE_SIZE - MODULATION_GROUPS * MODULATION_BINS;

/** White noise whose amplitude swings at `rateHz` (fully modulated). */
function modulatedNoise(rateHz: number, seconds: number): Float32Array {
  const n = Math.round(seconds * params.sampleRate);
  const x = noise(n, 3);
  for (let i = 0; i < n; i++) {
    x[i]! *= 0.25 * (1 + Math.sin((2 * Math.PI * rateHz * i) / params.sampleRate));
  }
  return x;
}

/** The modulation bin (0-based in the kept range) where group `g` peaks. */
function peakBin(style: Float32Array, g: number): number {
  let best = 0;
  for (let b = 1; b < MODULATION_BINS; b++) {
    const at = modulationStart + g * MODULATION_BINS;
    if (style[at + b]! > style[at + best]!) best = b;
  }
  return best;
}

describe('styleStatistics', () => {
  it('holds the MFCC means and deviations of the baseline, and their covariance, on real music', async () => {
    const decoded = await decodeAudio(demoTrack('metal_rock__Metal_madness.ogg'), {
      sampleRate: params.sampleRate,
      maxAnalysedS: 20,
    });
    const logMel = computeLogMel(decoded.pcm, params);
    const style = styleStatistics([logMel]);
    expect(style).toHaveLength(STYLE_SIZE);
    const baseline = mfccStatistics(logMel, STYLE_MFCC);
    for (let k = 0; k < 2 * STYLE_MFCC; k++) {
      expect(style[k]).toBeCloseTo(baseline[k]!, 3);
    }
    // The covariance's diagonal is the variance with Bessel's correction.
    const n = logMel.frames;
    let p = 2 * STYLE_MFCC;
    for (let i = 0; i < STYLE_MFCC; i++) {
      const sd = baseline[STYLE_MFCC + i]!;
      expect(style[p]! / ((sd * sd * n) / (n - 1))).toBeCloseTo(1, 3);
      p += STYLE_MFCC - i;
    }
    expect(style.every(Number.isFinite)).toBe(true);
  });

  it('takes the moments over all segments as one recording', async () => {
    const decoded = await decodeAudio(demoTrack('electronic__chaos-fog.ogg'), {
      sampleRate: params.sampleRate,
      maxAnalysedS: 20,
    });
    const half = Math.floor(decoded.pcm.length / 2 / params.hopLength) * params.hopLength;
    const a = computeLogMel(decoded.pcm.subarray(0, half), params);
    const b = computeLogMel(decoded.pcm.subarray(half), params);
    const joined = {
      data: Float32Array.from([...a.data, ...b.data]),
      frames: a.frames + b.frames,
      nMels: a.nMels,
    };
    const split = styleStatistics([a, b]);
    const whole = mfccStatistics(joined, STYLE_MFCC);
    for (let k = 0; k < 2 * STYLE_MFCC; k++) expect(split[k]).toBeCloseTo(whole[k]!, 3);
  });

  it('peaks the modulation spectrum at the rate a noise is modulated at', () => {
    for (const rate of [2, 4, 7]) {
      const style = styleStatistics([computeLogMel(modulatedNoise(rate, 12), params)]);
      // Bin b + 1 of a 256-frame window is (b + 1) · frames per second / 256 Hz.
      const expected = (rate * MODULATION_WINDOW) / framesPerSecond - 1;
      for (const g of [2, 8, 14]) expect(Math.abs(peakBin(style, g) - expected)).toBeLessThan(1.5);
    }
  });

  it('leaves the modulation spectrum at zero when no segment fills a window', () => {
    const short = computeLogMel(noise(params.hopLength * (MODULATION_WINDOW - 10), 5), params);
    const style = styleStatistics([short]);
    expect(style.subarray(modulationStart).every((v) => v === 0)).toBe(true);
    expect(style.subarray(0, 2 * STYLE_MFCC).some((v) => v !== 0)).toBe(true);
  });

  it('refuses spectrograms of different band counts', () => {
    const a = { data: new Float32Array(64 * 10), frames: 10, nMels: 64 };
    const b = { data: new Float32Array(32 * 10), frames: 10, nMels: 32 };
    expect(() => styleStatistics([a, b])).toThrow(/band count/);
  });
});
