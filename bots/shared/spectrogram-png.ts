/**
 * The log-mel spectrogram the model saw, as a picture: time left to right, low frequencies at the
 * bottom, loudness in matplotlib's perceptually uniform "viridis" colormap (van der Walt & Smith,
 * 2015), encoded as PNG with `pngjs`.
 */
import { PNG } from 'pngjs';
import type { LogMelSpectrogram } from './recommender-port.js';

/**
 * Eleven evenly spaced samples (entries 0, 25.5, …, 255) of matplotlib's `_viridis_data`
 * (lib/matplotlib/_cm_listed.py, CC0), linearly interpolated between; RGB in [0, 1].
 */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0.267004, 0.004874, 0.329415],
  [0.282623, 0.140926, 0.457517],
  [0.253935, 0.265254, 0.529983],
  [0.206756, 0.371758, 0.553117],
  [0.163625, 0.471133, 0.558148],
  [0.127568, 0.566949, 0.550556],
  [0.134692, 0.658636, 0.517649],
  [0.266941, 0.748751, 0.440573],
  [0.477504, 0.821444, 0.318195],
  [0.741388, 0.873449, 0.149561],
  [0.993248, 0.906157, 0.143936],
];

/** dB per natural-log unit of power: 10 / ln 10. */
const DB_PER_NEPER = 10 / Math.LN10;

/** Options of {@link renderSpectrogramPng}. */
export interface SpectrogramPngOptions {
  /** Pixels per mel band, vertically (integer ≥ 1, default 4). */
  readonly pxPerBand?: number | undefined;
  /** Pixels per frame (column), horizontally (integer ≥ 1, default 2). */
  readonly pxPerFrame?: number | undefined;
  /** Widest picture, pixels (default 1,200): longer spectrograms are averaged into fewer columns. */
  readonly maxWidth?: number | undefined;
  /** Dynamic range shown below the top level, dB (default 80). */
  readonly dynamicRangeDb?: number | undefined;
  /** Percentile of the values mapped to the brightest colour (default 99). */
  readonly topPercentile?: number | undefined;
}

/**
 * The picture's size for a spectrogram, without drawing it.
 *
 * @param frames - number of frames (≥ 0)
 * @param nMels - number of mel bands (≥ 1)
 * @returns width and height in pixels, plus the number of columns drawn (frames averaged per column
 *   when `frames × pxPerFrame` exceeds `maxWidth`)
 */
export function spectrogramPngSize(
  frames: number,
  nMels: number,
  options: SpectrogramPngOptions = {},
): { width: number; height: number; columns: number } {
  const pxPerFrame = Math.max(1, Math.floor(options.pxPerFrame ?? 2));
  const pxPerBand = Math.max(1, Math.floor(options.pxPerBand ?? 4));
  const maxColumns = Math.max(1, Math.floor((options.maxWidth ?? 1200) / pxPerFrame));
  const columns = Math.max(1, Math.min(frames, maxColumns));
  return { width: columns * pxPerFrame, height: nMels * pxPerBand, columns };
}

/** Viridis colour for t in [0, 1], as 0–255 RGB. */
function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(255 * (a[c]! + (b[c]! - a[c]!) * f))) as [
    number,
    number,
    number,
  ];
}

/**
 * Renders a log-mel spectrogram as a PNG.
 *
 * Values are converted to dB (`data` is ln of mel power), the `topPercentile` value becomes the
 * brightest colour and everything `dynamicRangeDb` below it the darkest. Band 0 (lowest frequency)
 * is the bottom row. An empty spectrogram (0 frames) gives a one-column dark picture.
 *
 * @param spectrogram - `frames × nMels`, frame-major natural-log mel power (core's LogMelSpectrogram)
 * @param options - pixel scale, width cap and dynamic range
 * @returns PNG file bytes (8-bit RGBA), sized as {@link spectrogramPngSize} says
 * @throws RangeError when `data.length` ≠ `frames × nMels` or `nMels` < 1
 */
export function renderSpectrogramPng(
  spectrogram: LogMelSpectrogram,
  options: SpectrogramPngOptions = {},
): Uint8Array {
  const { data, frames, nMels } = spectrogram;
  if (nMels < 1 || data.length !== frames * nMels) {
    throw new RangeError(`spectrogram data has ${data.length} values, not ${frames} × ${nMels}`);
  }
  const { width, height, columns } = spectrogramPngSize(frames, nMels, options);
  const pxPerFrame = width / columns;
  const pxPerBand = height / nMels;

  // Average frames into columns (one frame per column when the picture is not capped).
  const cols = new Float32Array(columns * nMels);
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * frames) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * frames) / columns));
    for (let m = 0; m < nMels; m++) {
      let sum = 0;
      for (let t = from; t < to; t++) sum += data[t * nMels + m] ?? 0;
      cols[c * nMels + m] = frames === 0 ? 0 : (sum / (to - from)) * DB_PER_NEPER;
    }
  }

  const sorted = Float32Array.from(cols).sort();
  const p = Math.min(100, Math.max(0, options.topPercentile ?? 99)) / 100;
  const top = sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? 0;
  const range = Math.max(1e-6, options.dynamicRangeDb ?? 80);
  const floor = top - range;

  const png = new PNG({ width, height });
  for (let c = 0; c < columns; c++) {
    for (let m = 0; m < nMels; m++) {
      const value = frames === 0 ? floor : (cols[c * nMels + m] ?? floor);
      const [r, g, b] = viridis((value - floor) / range);
      const y0 = (nMels - 1 - m) * pxPerBand;
      for (let dy = 0; dy < pxPerBand; dy++) {
        for (let dx = 0; dx < pxPerFrame; dx++) {
          const at = ((y0 + dy) * width + c * pxPerFrame + dx) * 4;
          png.data[at] = r;
          png.data[at + 1] = g;
          png.data[at + 2] = b;
          png.data[at + 3] = 255;
        }
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
