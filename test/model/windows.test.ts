/** Cutting spectrograms into CNN windows, and the per-window normalisation. */
import { describe, expect, it } from 'vitest';
import type { WindowParams } from '../../core/model/metadata.js';
import { cutWindows, normalizeWindows, windowStarts } from '../../core/model/windows.js';

const W: WindowParams = { frames: 128, hopFrames: 64 };

/** A spectrogram whose every value is `frameIndex * 100 + band` (frame-major). */
function ramp(frames: number, nMels: number, offset = 0) {
  const data = new Float32Array(frames * nMels);
  for (let t = 0; t < frames; t++)
    for (let m = 0; m < nMels; m++) data[t * nMels + m] = (offset + t) * 100 + m;
  return { data, frames, nMels };
}

describe('windowStarts', () => {
  it('gives one window at 0 when the spectrogram is shorter than or exactly one window', () => {
    expect(windowStarts(0, W, 32)).toEqual([0]);
    expect(windowStarts(50, W, 32)).toEqual([0]);
    expect(windowStarts(128, W, 32)).toEqual([0]);
  });

  it('hops by hopFrames and ends with a window flush with the end', () => {
    expect(windowStarts(300, W, 32)).toEqual([0, 64, 128, 172]);
    expect(windowStarts(256, W, 32)).toEqual([0, 64, 128]);
  });

  it('spreads maxWindows evenly over the whole length, first at 0 and last at the end', () => {
    const total = 10_000;
    const starts = windowStarts(total, W, 5);
    expect(starts).toHaveLength(5);
    expect(starts[0]).toBe(0);
    expect(starts[4]).toBe(total - W.frames);
    for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThan(starts[i - 1]!);
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
  });

  it('keeps a single window at 0 when maxWindows is 1', () => {
    expect(windowStarts(1000, W, 1)).toEqual([0]);
  });
});

describe('cutWindows', () => {
  it('loops a spectrogram shorter than a window to fill it', () => {
    const spec = ramp(50, 4);
    const windows = cutWindows([spec], W, 8);
    expect(windows.count).toBe(1);
    expect(windows.data).toHaveLength(128 * 4);
    for (let t = 0; t < 128; t++) {
      for (let m = 0; m < 4; m++) expect(windows.data[t * 4 + m]).toBe((t % 50) * 100 + m);
    }
  });

  it('copies each window frame by frame from its start', () => {
    const windows = cutWindows([ramp(300, 3)], W, 32);
    expect(windows.count).toBe(4);
    const starts = [0, 64, 128, 172];
    starts.forEach((start, w) => {
      const base = w * 128 * 3;
      expect(windows.data[base]).toBe(start * 100);
      expect(windows.data[base + 127 * 3 + 2]).toBe((start + 127) * 100 + 2);
    });
  });

  it('caps the windows of several segments at maxWindows, sharing them between segments', () => {
    const a = ramp(2000, 2, 0);
    const b = ramp(2000, 2, 100_000);
    const windows = cutWindows([a, b], W, 6);
    expect(windows.count).toBe(6);
    const firstValues = Array.from({ length: 6 }, (_, w) => windows.data[w * 128 * 2]!);
    expect(firstValues.filter((v) => v < 100_000 * 100)).toHaveLength(3);
    expect(firstValues.filter((v) => v >= 100_000 * 100)).toHaveLength(3);
    // Both ends of both segments are covered.
    expect(firstValues).toContain(0);
    expect(firstValues).toContain((2000 - 128) * 100);
    expect(firstValues).toContain(100_000 * 100);
    expect(firstValues).toContain((100_000 + 2000 - 128) * 100);
  });

  it('skips empty segments and throws when there is nothing to cut', () => {
    const windows = cutWindows([ramp(0, 2), ramp(200, 2)], W, 4);
    expect(windows.count).toBe(3);
    expect(() => cutWindows([], W, 4)).toThrow(/no spectrogram/);
    expect(() => cutWindows([ramp(0, 2)], W, 4)).toThrow(/empty/);
  });
});

describe('normalizeWindows', () => {
  it('removes each window mean and divides by the global std, in place', () => {
    const windows = cutWindows([ramp(300, 2)], W, 32);
    const before = Float32Array.from(windows.data);
    const out = normalizeWindows(windows, 4);
    expect(out).toBe(windows);
    const size = 128 * 2;
    for (let w = 0; w < windows.count; w++) {
      const view = windows.data.subarray(w * size, (w + 1) * size);
      const mean = view.reduce((s, v) => s + v, 0) / size;
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      const raw = before.subarray(w * size, (w + 1) * size);
      const rawMean = raw.reduce((s, v) => s + v, 0) / size;
      expect(view[0]).toBeCloseTo((raw[0]! - rawMean) / 4, 2);
    }
  });
});
