import { describe, expect, it } from 'vitest';
import { computeDescriptors } from '../../core/features/descriptors.js';
import { estimateKey } from '../../core/features/key.js';
import { chord, clickTrack, noise, sine } from './signals.js';

const SR = 22050;

describe('tempo (Ellis 2007 onset autocorrelation)', () => {
  for (const bpm of [90, 120, 140]) {
    it(`reads a ${bpm} BPM click track as ${bpm} ± 2`, () => {
      const d = computeDescriptors(clickTrack(bpm, 20, SR), SR);
      expect(d.tempoBpm).not.toBeNull();
      expect(Math.abs(d.tempoBpm! - bpm)).toBeLessThanOrEqual(2);
      expect(d.tempoConfidence).toBeGreaterThan(0.5);
      expect(d.tempoConfidence).toBeLessThanOrEqual(1);
    });
  }

  it('gives no tempo for silence or a clip too short to hold two slow beats', () => {
    expect(computeDescriptors(new Float32Array(5 * SR), SR).tempoBpm).toBeNull();
    expect(computeDescriptors(clickTrack(120, 1, SR), SR).tempoBpm).toBeNull();
  });

  it('works at another sample rate', () => {
    const d = computeDescriptors(clickTrack(120, 15, 44100), 44100);
    expect(Math.abs(d.tempoBpm! - 120)).toBeLessThanOrEqual(2);
  });
});

describe('key (chroma + Krumhansl–Schmuckler)', () => {
  it('reads a C-major chord (C4 E4 G4 with harmonics) as C major', () => {
    const d = computeDescriptors(chord([60, 64, 67], 4, SR), SR);
    expect(d.key.tonic).toBe('C');
    expect(d.key.mode).toBe('major');
    expect(d.key.confidence).toBeGreaterThan(0.6);
  });

  it('reads an A-minor chord (A3 C4 E4 with harmonics) as A minor', () => {
    const d = computeDescriptors(chord([57, 60, 64], 4, SR), SR);
    expect(d.key.tonic).toBe('A');
    expect(d.key.mode).toBe('minor');
  });

  it('has a 12-bin chroma that sums to 1 and peaks on the chord tones', () => {
    const d = computeDescriptors(chord([60, 64, 67], 4, SR), SR);
    expect(d.chroma).toHaveLength(12);
    expect(d.chroma.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    const top3 = d.chroma
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map(([, i]) => i)
      .sort((a, b) => a - b);
    expect(top3).toEqual([0, 4, 7]);
  });

  it('finds every major and minor key from its own profile shape', () => {
    const major = [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1];
    for (let tonic = 0; tonic < 12; tonic++) {
      const scale = major.map((_, pc) => major[(pc - tonic + 12) % 12]! + (pc === tonic ? 1 : 0));
      expect(estimateKey(scale).mode).toBe('major');
    }
  });
});

describe('loudness and spectral shape', () => {
  it('measures a full-scale sine at −3.01 dBFS RMS, and silence at the −120 dB floor', () => {
    expect(computeDescriptors(sine(440, 3, SR), SR).loudnessDb).toBeCloseTo(-3.01, 1);
    expect(computeDescriptors(sine(440, 3, SR, 0.1), SR).loudnessDb).toBeCloseTo(-23.01, 1);
    expect(computeDescriptors(new Float32Array(SR), SR).loudnessDb).toBe(-120);
  });

  it('orders brightness and centroid of a 200 Hz and a 5 kHz sine', () => {
    const low = computeDescriptors(sine(200, 3, SR, 0.5), SR);
    const high = computeDescriptors(sine(5000, 3, SR, 0.5), SR);
    expect(low.brightness).toBeLessThan(0.01);
    expect(high.brightness).toBeGreaterThan(0.99);
    expect(low.spectralCentroidHz).toBeGreaterThan(150);
    expect(low.spectralCentroidHz).toBeLessThan(400);
    expect(high.spectralCentroidHz).toBeGreaterThan(4500);
    expect(high.spectralCentroidHz).toBeLessThan(5500);
  });

  it('finds noise flatter than a sine', () => {
    const flatNoise = computeDescriptors(noise(3 * SR), SR).spectralFlatness;
    const flatSine = computeDescriptors(sine(440, 3, SR), SR).spectralFlatness;
    expect(flatNoise).toBeGreaterThan(0.3);
    expect(flatNoise).toBeLessThanOrEqual(1);
    expect(flatSine).toBeLessThan(0.01);
  });

  it('computes 30 s at 22,050 Hz quickly', () => {
    const x = noise(30 * SR);
    computeDescriptors(x, SR);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      computeDescriptors(x, SR);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `descriptors of 30 s: median ${times[2]!.toFixed(1)} ms, best ${times[0]!.toFixed(1)} ms`,
    );
    expect(times[0]).toBeLessThan(400);
  });
});
