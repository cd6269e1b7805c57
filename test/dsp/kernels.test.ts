/**
 * The DSP loops in WebAssembly (core/dsp/kernels.c via core/dsp/kernels.ts): the committed module
 * loads and exports every kernel; scratch space nests, is released, and grows past the initial
 * memory; and on real music the WebAssembly paths give what the JavaScript they replaced gives —
 * the STFT's powers bit for bit frame by frame and block by block (and against a double-precision
 * DFT within float32 rounding), the descriptors' long-term sums bit for bit, the mel projections within rounding,
 * clipping bit for bit; the peak candidates as a search of every whole neighbourhood finds them.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { clipToUnitRange } from '../../core/dsp/clip.js';
import {
  f32View,
  f64View,
  i32View,
  kernels,
  memoryBytes,
  withScratch,
} from '../../core/dsp/kernels.js';
import { spectralDescriptors } from '../../core/features/descriptors.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { applyMel, melFilterbank } from '../../core/features/mel.js';
import { forEachPowerBlock, forEachPowerFrame, periodicHann } from '../../core/features/stft.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { demoTrack } from '../helpers/paths.js';

async function music(seconds: number, sampleRate = 22_050): Promise<Float32Array> {
  const { pcm } = await decodeAudio(demoTrack('electronic__chaos-fog.ogg'), {
    sampleRate,
    maxAnalysedS: seconds,
  });
  return pcm;
}

describe('DSP kernels', () => {
  it('exports every kernel the TypeScript side declares', () => {
    for (const name of [
      'split2_f32',
      'split_f64',
      'half_band_f32',
      'firm_f64',
      'window_frames',
      'power_frames',
      'mel_frames',
      'band_f64',
      'peak_candidates',
      'spectrum_sums',
      'clip_unit_f32',
    ] as const) {
      expect(typeof kernels[name], name).toBe('function');
    }
  });

  it('clips as Math.min(1, Math.max(-1, x)) does, bit for bit, across its chunks (loud real music)', async () => {
    // A 30 s track at 44.1 kHz played twice (2.6 M samples: three chunks), 3 times louder so
    // that much clips.
    const pcm = await music(30, 44_100);
    const loud = new Float32Array(2 * pcm.length);
    for (let i = 0; i < loud.length; i++) loud[i] = 3 * pcm[i % pcm.length]!;
    expect(loud.length).toBeGreaterThan(2 * (1 << 20));
    loud[7] = Number.NaN;
    loud[(1 << 20) + 1] = -0;
    const want = loud.map((v) => Math.min(1, Math.max(-1, v)));
    const got = clipToUnitRange(loud.slice());
    expect(got.length).toBe(want.length);
    let clipped = 0;
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i])) expect.fail(`sample ${i}: ${got[i]} ≠ ${want[i]}`);
      if (Math.abs(want[i]!) === 1) clipped++;
    }
    expect(clipped).toBeGreaterThan(1000);
    expect(clipToUnitRange(new Float32Array(0))).toHaveLength(0);
  });

  it('nests scratch space, releases it, and grows the memory past its first 16 MiB, then hands it back', () => {
    const outer = withScratch((alloc) => {
      const a = alloc(100);
      const inner = withScratch((allocInner) => allocInner(8));
      expect(inner).toBeGreaterThanOrEqual(a + 100);
      expect(inner % 16).toBe(0);
      return a;
    });
    // Released: the next allocation starts where the first did.
    expect(withScratch((alloc) => alloc(4))).toBe(outer);
    const big = 80 * 1024 * 1024;
    const last = withScratch((alloc) => {
      const at = alloc(big);
      const view = f32View(at, big / 4);
      view[view.length - 1] = 7;
      return view[view.length - 1];
    });
    expect(last).toBe(7);
    // Handed back once released: a thread keeps no more than 64 MiB after a long recording.
    expect(memoryBytes()).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(withScratch((alloc) => alloc(4))).toBe(outer);
    expect(kernels.split2_f32).toBeTypeOf('function');
  });

  it('windows frames exactly as double-precision JavaScript does (one rounding to float32)', () => {
    const nFft = 64;
    const x = Float32Array.from({ length: 3 * nFft }, (_, i) => Math.sin(i * 0.37) * 0.9);
    const want = new Float32Array(2 * nFft);
    const w = periodicHann(nFft);
    for (let f = 0; f < 2; f++)
      for (let i = 0; i < nFft; i++) want[f * nFft + i] = x[f * 32 + i]! * w[i]!;
    const got = withScratch((alloc) => {
      const xAt = alloc(4 * x.length);
      const wAt = alloc(8 * nFft);
      const outAt = alloc(4 * 2 * nFft);
      f32View(xAt, x.length).set(x);
      f64View(wAt, nFft).set(w);
      kernels.window_frames(xAt, 32, nFft, 2, wAt, outAt);
      return f32View(outAt, 2 * nFft).slice();
    });
    expect([...got]).toEqual([...want]);
  });

  it('gives the STFT powers frame by frame and block by block alike, close to a double-precision DFT', async () => {
    const pcm = await music(8);
    const bins = 1024 / 2 + 1;
    const frames: Float64Array[] = [];
    forEachPowerFrame(pcm, 1024, 512, (_t, power) => frames.push(power.slice()));
    let seen = 0;
    forEachPowerBlock(pcm, 1024, 512, (first, count, powerAt) => {
      for (let f = 0; f < count; f++) {
        expect([...f64View(powerAt + 8 * bins * f, bins)]).toEqual([...frames[first + f]!]);
        seen++;
      }
    });
    expect(seen).toBe(frames.length);
    expect(seen).toBe(1 + Math.floor(pcm.length / 512));
    // 1,000 points are not a multiple of 32: fft.js in double precision, the other path.
    const reference: Float64Array[] = [];
    forEachPowerFrame(pcm, 16, 8, (_t, power) => reference.push(power.slice()));
    forEachPowerBlock(pcm, 16, 8, (first, count, powerAt) => {
      expect(count).toBe(1);
      expect([...f64View(powerAt, 9)]).toEqual([...reference[first]!]);
    });
    // PFFFT's float32 transform against a double-precision DFT of one interior frame: within
    // float32 rounding of the loudest bin.
    const frame = 40;
    const spectrum = frames[frame]!;
    const loudest = spectrum.reduce((m, p) => Math.max(m, p), 0);
    const w = periodicHann(1024);
    let worst = 0;
    for (const k of [5, 40, 100, 300, 500]) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < 1024; n++) {
        const v = pcm[frame * 512 - 512 + n]! * w[n]!;
        re += v * Math.cos((2 * Math.PI * k * n) / 1024);
        im -= v * Math.sin((2 * Math.PI * k * n) / 1024);
      }
      worst = Math.max(worst, Math.abs(spectrum[k]! - (re * re + im * im)) / loudest);
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('projects mel bands as applyMel does, within rounding, on real music', async () => {
    const pcm = await music(6);
    const got = computeLogMel(pcm, DEFAULT_LOG_MEL);
    const bank = melFilterbank(DEFAULT_LOG_MEL);
    const mel = new Float64Array(bank.nMels);
    let worst = 0;
    forEachPowerFrame(pcm, DEFAULT_LOG_MEL.nFft, DEFAULT_LOG_MEL.hopLength, (t, power) => {
      applyMel(bank, power, mel);
      for (let m = 0; m < bank.nMels; m++) {
        const want = Math.log(mel[m]! + DEFAULT_LOG_MEL.logOffset);
        worst = Math.max(worst, Math.abs(got.data[t * bank.nMels + m]! - want));
      }
    });
    expect(worst).toBeLessThan(1e-5);
  });

  it('gives the descriptors the frame-by-frame sums gave (flatness path), bit for bit', async () => {
    const pcm = await music(20);
    const fast = spectralDescriptors(pcm, 22_050, { flatness: false });
    const slow = spectralDescriptors(pcm, 22_050, { flatness: true });
    expect(fast.spectralCentroidHz).toBe(slow.spectralCentroidHz);
    expect(fast.brightness).toBe(slow.brightness);
    expect(fast.chroma).toEqual(slow.chroma);
    expect(fast.key).toEqual(slow.key);
    expect(fast.spectralFlatness).toBeUndefined();
    expect(slow.spectralFlatness).toBeGreaterThan(0);
  });

  it('finds the peak candidates a search of every whole neighbourhood finds, on real music and on small grids with ties', async () => {
    const tie = 1 - 1e-5;
    /** Runs the kernel on frames × width values; returns the candidates and the row maxima. */
    const kernel = (spec: Float64Array, frames: number, width: number, hb: number, hf: number) =>
      withScratch((alloc) => {
        const specAt = alloc(8 * spec.length);
        const rowMaxAt = alloc(8 * spec.length);
        const padAt = alloc(8 * (width + 2 * hb));
        const listedAt = alloc(4 * (hf + 1) * (width + 1));
        const candAt = alloc(4 * spec.length);
        f64View(specAt, spec.length).set(spec);
        const n = kernels.peak_candidates(
          specAt,
          frames,
          width,
          hb,
          hf,
          tie,
          rowMaxAt,
          padAt,
          listedAt,
          candAt,
        );
        return {
          cand: [...i32View(candAt, n)],
          rowMax: [...f64View(rowMaxAt, spec.length)],
        };
      });
    /** Every cell against the maximum of its whole clipped rectangle. */
    const reference = (
      spec: Float64Array,
      frames: number,
      width: number,
      hb: number,
      hf: number,
    ) => {
      const cand: number[] = [];
      const rowMax: number[] = [];
      const at = (t: number, k: number) => spec[t * width + k]!;
      for (let t = 0; t < frames; t++) {
        for (let k = 0; k < width; k++) {
          let row = 0;
          for (let j = Math.max(0, k - hb); j <= Math.min(width - 1, k + hb); j++)
            row = Math.max(row, at(t, j));
          rowMax.push(row);
          let box = 0;
          for (let u = Math.max(0, t - hf); u <= Math.min(frames - 1, t + hf); u++) {
            for (let j = Math.max(0, k - hb); j <= Math.min(width - 1, k + hb); j++)
              box = Math.max(box, at(u, j));
          }
          if (!(at(t, k) < box * tie)) cand.push(t * width + k);
        }
      }
      return { cand, rowMax };
    };
    // Real music: the fingerprint's band (bins 28–464 at 11,025 Hz) of 8 s, power + 1e-12.
    const pcm = await music(8, 11_025);
    const bins = 513;
    const rows: number[] = [];
    forEachPowerBlock(pcm, 1024, 256, (_first, count, powerAt) => {
      const power = f64View(powerAt, count * bins);
      for (let t = 0; t < count; t++) {
        for (let k = 28; k <= 464; k++) rows.push(power[t * bins + k]! + 1e-12);
      }
    });
    const real = Float64Array.from(rows);
    const realFrames = real.length / 437;
    const got = kernel(real, realFrames, 437, 12, 5);
    const want = reference(real, realFrames, 437, 12, 5);
    expect(got.cand.length).toBeGreaterThan(100);
    expect(got.cand).toEqual(want.cand);
    expect(got.rowMax).toEqual(want.rowMax);
    // Small grids of a few distinct levels (many exact ties), odd and even sizes, halves of 0 up
    // to wider than the grid.
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const [frames, width, hb, hf] of [
      [1, 1, 0, 0],
      [1, 2, 1, 0],
      [3, 5, 2, 1],
      [7, 24, 12, 5],
      [11, 25, 12, 5],
      [6, 3, 4, 9],
      [20, 33, 1, 2],
    ] as const) {
      const grid = Float64Array.from(
        { length: frames * width },
        () => 1e-12 + Math.floor(next() * 4),
      );
      const a = kernel(grid, frames, width, hb, hf);
      const b = reference(grid, frames, width, hb, hf);
      expect(a.cand, `${frames}×${width}, ±${hb} bins, ±${hf} frames`).toEqual(b.cand);
      expect(a.rowMax).toEqual(b.rowMax);
    }
  });
});
