/** Spectral peaks and landmark hashes on synthetic signals whose spectra are known. */
import { describe, expect, it } from 'vitest';
import { resampleMono } from '../../core/dsp/resample.js';
import { landmarkHashes, packHash, unpackHash } from '../../core/fingerprint/hashes.js';
import { FINGERPRINT_PARAMS, FRAME_SECONDS, HASH_PARAMS } from '../../core/fingerprint/params.js';
import { findPeaks } from '../../core/fingerprint/peaks.js';
import { noise, sine } from '../features/signals.js';

const SR = FINGERPRINT_PARAMS.sampleRate;
const BIN_HZ = SR / FINGERPRINT_PARAMS.nFft;

/** Tone bursts: `notes[i]` Hz for 0.25 s each, one after another. */
function melody(notes: readonly number[], seconds = 0.25): Float32Array {
  const per = Math.round(seconds * SR);
  const out = new Float32Array(per * notes.length);
  for (const [i, f] of notes.entries()) out.set(sine(f, seconds, SR, 0.5), i * per);
  return out;
}

describe('findPeaks', () => {
  it('puts the peaks of a steady sine on its bin', () => {
    const peaks = findPeaks(sine(1000, 3, SR, 0.5));
    expect(peaks.frames.length).toBeGreaterThan(0);
    for (const bin of peaks.bins) expect(Math.abs(bin * BIN_HZ - 1000)).toBeLessThan(BIN_HZ);
  });

  it('finds each note of a melody at its time and frequency', () => {
    const notes = [440, 660, 880, 1320, 550, 990];
    const peaks = findPeaks(melody(notes));
    for (const [i, f] of notes.entries()) {
      const middle = Math.round(((i + 0.5) * 0.25) / FRAME_SECONDS);
      const near = [...peaks.frames.keys()].filter((j) => Math.abs(peaks.frames[j]! - middle) <= 6);
      expect(near.some((j) => Math.abs(peaks.bins[j]! * BIN_HZ - f) < BIN_HZ)).toBe(true);
    }
  });

  it('finds nothing in silence and nothing outside the analysed band', () => {
    expect(findPeaks(new Float32Array(2 * SR)).frames.length).toBe(0);
    // 100 Hz is below minBin (≈ 301 Hz): no peak may sit there.
    const low = findPeaks(sine(100, 2, SR, 0.5));
    for (const bin of low.bins) expect(bin).toBeGreaterThanOrEqual(FINGERPRINT_PARAMS.minBin);
  });

  it('keeps about peaksPerSecond peaks per second of dense noise, in time order', () => {
    const seconds = 6;
    const peaks = findPeaks(noise(seconds * SR, 3));
    const perSecond = peaks.frames.length / seconds;
    expect(perSecond).toBeGreaterThan(FINGERPRINT_PARAMS.peaksPerSecond * 0.5);
    expect(perSecond).toBeLessThanOrEqual(FINGERPRINT_PARAMS.peaksPerSecond * 1.05);
    for (let i = 1; i < peaks.frames.length; i++)
      expect(peaks.frames[i]!).toBeGreaterThanOrEqual(peaks.frames[i - 1]!);
  });

  it('is unchanged by gain (above the absolute floor)', () => {
    // Noise, not steady tones: a tone's equal-power frames tie, and rounding breaks ties anyhow.
    const x = noise(3 * SR, 5);
    const quiet = x.map((v) => v * 0.25);
    const a = findPeaks(x);
    const b = findPeaks(quiet);
    expect(Array.from(b.bins)).toEqual(Array.from(a.bins));
    expect(Array.from(b.frames)).toEqual(Array.from(a.frames));
  });
});

describe('resampleMono', () => {
  it('halves 22,050 Hz to 11,025 Hz keeping a tone and removing what would alias', () => {
    const down = resampleMono(sine(1000, 1, 22_050), 22_050, 11_025);
    expect(down.length).toBe(11_025);
    const peaks = findPeaks(down);
    for (const bin of peaks.bins) expect(Math.abs(bin * BIN_HZ - 1000)).toBeLessThan(BIN_HZ);
    // 9 kHz would fold to 2,025 Hz: the low-pass must suppress it.
    const aliased = resampleMono(sine(9000, 1, 22_050), 22_050, 11_025);
    const rms = Math.sqrt(aliased.reduce((s, v) => s + v * v, 0) / aliased.length);
    expect(rms).toBeLessThan(0.01);
  });
});

describe('landmark hashes', () => {
  it('packs (f1, f2, dt) into 23 bits and back', () => {
    for (const [f1, f2, dt] of [
      [28, 28, 1],
      [464, 337, 63],
      [100, 227, 17],
      [511, 400, 5],
    ] as const) {
      const h = packHash(f1, f2, dt);
      expect(h).toBeLessThan(2 ** 23);
      expect(unpackHash(h)).toEqual({ f1, f2, dt });
    }
  });

  it('pairs each anchor with at most fanOut targets of its zone', () => {
    const peaks = findPeaks(melody([440, 660, 880, 1320, 550, 990, 770, 1100]));
    const { hashes, times } = landmarkHashes(peaks, 100);
    expect(hashes.length).toBeGreaterThan(0);
    expect(hashes.length).toBeLessThanOrEqual(peaks.frames.length * HASH_PARAMS.fanOut);
    for (let i = 0; i < hashes.length; i++) {
      const { f1, f2, dt } = unpackHash(hashes[i]!);
      expect(dt).toBeGreaterThanOrEqual(HASH_PARAMS.minDeltaFrames);
      expect(dt).toBeLessThanOrEqual(HASH_PARAMS.maxDeltaFrames);
      expect(Math.abs(f2 - f1)).toBeLessThanOrEqual(HASH_PARAMS.maxDeltaBins);
      // The anchor is a peak at times[i] − 100 with bin f1, and a target lies dt frames later.
      const anchor = [...peaks.frames.keys()].find(
        (j) => peaks.frames[j] === times[i]! - 100 && peaks.bins[j] === f1,
      );
      expect(anchor).toBeDefined();
      const target = [...peaks.frames.keys()].find(
        (j) => peaks.frames[j] === times[i]! - 100 + dt && peaks.bins[j] === f2,
      );
      expect(target).toBeDefined();
    }
  });

  it('gives the same hashes for the same music shifted in time', () => {
    const x = melody([440, 660, 880, 1320, 550, 990]);
    const shift = 20 * FINGERPRINT_PARAMS.hopLength;
    const later = new Float32Array(x.length + shift);
    later.set(x, shift);
    const a = landmarkHashes(findPeaks(x));
    const b = landmarkHashes(findPeaks(later));
    const shared = new Set(a.hashes);
    const common = Array.from(b.hashes).filter((h) => shared.has(h)).length;
    expect(common / a.hashes.length).toBeGreaterThan(0.8);
  });
});
