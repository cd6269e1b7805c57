import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderSpectrogramPng, spectrogramPngSize } from '../../../bots/shared/spectrogram-png.js';

/** frames × nMels of ln power: loud in band `loudBand`, quiet elsewhere. */
function spectrogram(frames: number, nMels: number, loudBand: number) {
  const data = new Float32Array(frames * nMels);
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < nMels; m++) data[t * nMels + m] = m === loudBand ? 0 : -20; // −87 dB
  }
  return { data, frames, nMels };
}

const pixel = (png: PNG, x: number, y: number) => {
  const at = (y * png.width + x) * 4;
  return [...png.data.subarray(at, at + 4)];
};

describe('renderSpectrogramPng', () => {
  it('decodes as a PNG of the expected size, low frequencies at the bottom', () => {
    const spec = spectrogram(100, 64, 0);
    const png = PNG.sync.read(Buffer.from(renderSpectrogramPng(spec)));
    expect(png.width).toBe(100 * 2);
    expect(png.height).toBe(64 * 4);
    expect(spectrogramPngSize(100, 64)).toEqual({ width: 200, height: 256, columns: 100 });
    // Band 0 is loud: the bottom rows are viridis yellow, the top rows viridis purple.
    expect(pixel(png, 10, png.height - 1)).toEqual([253, 231, 37, 255]);
    expect(pixel(png, 10, 0)).toEqual([68, 1, 84, 255]);
  });

  it('averages long spectrograms into at most maxWidth pixels', () => {
    const spec = spectrogram(5000, 64, 63);
    const size = spectrogramPngSize(5000, 64, { maxWidth: 1200 });
    expect(size.width).toBeLessThanOrEqual(1200);
    const png = PNG.sync.read(Buffer.from(renderSpectrogramPng(spec, { maxWidth: 1200 })));
    expect([png.width, png.height]).toEqual([size.width, size.height]);
    expect(pixel(png, 0, 0)).toEqual([253, 231, 37, 255]);
  });

  it('draws an empty spectrogram as one dark column, and refuses inconsistent data', () => {
    const png = PNG.sync.read(
      Buffer.from(renderSpectrogramPng({ data: new Float32Array(0), frames: 0, nMels: 8 })),
    );
    expect([png.width, png.height]).toEqual([2, 32]);
    expect(() => renderSpectrogramPng({ data: new Float32Array(10), frames: 3, nMels: 4 })).toThrow(
      RangeError,
    );
  });
});
