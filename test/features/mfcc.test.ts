import { describe, expect, it } from 'vitest';
import { computeLogMel, type LogMelSpectrogram } from '../../core/features/log-mel.js';
import { dctMatrix, mfccMeans, mfccStatistics } from '../../core/features/mfcc.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { hasCode } from '../../core/util/errors.js';
import { noise, sine } from './signals.js';

describe('mfccStatistics', () => {
  it('uses an orthonormal DCT-II', () => {
    const n = 16;
    const d = dctMatrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let m = 0; m < n; m++) dot += d[i * n + m]! * d[j * n + m]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('gives c0 = √M · value and zero spread for constant frames', () => {
    const nMels = 8;
    const frames = 5;
    const logMel: LogMelSpectrogram = {
      data: new Float32Array(nMels * frames).fill(2),
      frames,
      nMels,
    };
    const stats = mfccStatistics(logMel, 4);
    expect(stats).toHaveLength(8);
    expect(stats[0]).toBeCloseTo(2 * Math.sqrt(nMels), 5);
    for (let k = 1; k < 4; k++) expect(Math.abs(stats[k]!)).toBeLessThan(1e-5);
    for (let k = 4; k < 8; k++) expect(Math.abs(stats[k]!)).toBeLessThan(1e-3);
  });

  it('computes mean and population std per coefficient', () => {
    // Two frames that differ only in their mean level: c0 = ±√M·1 around √M·3.
    const nMels = 4;
    const data = new Float32Array([2, 2, 2, 2, 4, 4, 4, 4]);
    const stats = mfccStatistics({ data, frames: 2, nMels }, 2);
    expect(stats[0]).toBeCloseTo(3 * 2, 5);
    expect(stats[2]).toBeCloseTo(2, 5);
  });

  it('separates timbres: a sine and noise give different statistics of length 2·nMfcc', () => {
    const a = mfccStatistics(computeLogMel(sine(440, 2, 22050, 0.5), DEFAULT_LOG_MEL));
    const b = mfccStatistics(computeLogMel(noise(2 * 22050), DEFAULT_LOG_MEL));
    expect(a).toHaveLength(40);
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 1; i < 20; i++) {
      dot += a[i]! * b[i]!;
      na += a[i]! ** 2;
      nb += b[i]! ** 2;
    }
    expect(dot / Math.sqrt(na * nb)).toBeLessThan(0.9);
  });

  it('rejects nMfcc > nMels (E_CONFIG)', () => {
    let error: unknown;
    try {
      mfccStatistics({ data: new Float32Array(8), frames: 2, nMels: 4 }, 5);
    } catch (e) {
      error = e;
    }
    expect(hasCode(error, 'E_CONFIG')).toBe(true);
  });
});

describe('mfccMeans', () => {
  it('equals the means of mfccStatistics on real-looking spectra (sine, noise)', () => {
    for (const pcm of [sine(440, 2, 22050, 0.5), noise(2 * 22050)]) {
      const logMel = computeLogMel(pcm, DEFAULT_LOG_MEL);
      const means = mfccMeans(logMel, 20);
      const stats = mfccStatistics(logMel, 20);
      expect(means).toHaveLength(20);
      for (let k = 0; k < 20; k++) expect(means[k]).toBeCloseTo(stats[k]!, 5);
    }
    expect(Array.from(mfccMeans({ data: new Float32Array(0), frames: 0, nMels: 8 }, 3))).toEqual([
      0, 0, 0,
    ]);
    expect(() => mfccMeans({ data: new Float32Array(8), frames: 1, nMels: 8 }, 9)).toThrow(/nMfcc/);
  });
});
