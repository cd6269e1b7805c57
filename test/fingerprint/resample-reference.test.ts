/**
 * The fingerprint's decimating resampler (22,050 or 44,100 → 11,025 Hz; core/dsp/resample.ts),
 * which sums eight outputs side by side in WebAssembly, gives bit for bit the samples of the
 * straightforward version — one output at a time through a low-passed sample accessor — on real
 * music and at the edges (signals shorter than the filter, lengths that are no multiple of the
 * factor).
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { resampleMono } from '../../core/dsp/resample.js';
import { demoTrack } from '../helpers/paths.js';

/** The first version: windowed-sinc (Blackman, 31 taps, cut-off 0.45 × new rate), every `step`th sample. */
function referenceDecimate(pcm: Float32Array, step: number): Float32Array {
  const taps = 31;
  const fc = 0.45 / step;
  const kernel = new Float64Array(taps);
  const mid = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const blackman =
      0.42 -
      0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) +
      0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    kernel[i] = sinc * blackman;
    sum += kernel[i]!;
  }
  for (let i = 0; i < taps; i++) kernel[i]! /= sum;
  const out = new Float32Array(Math.floor(pcm.length / step));
  for (let n = 0; n < out.length; n++) {
    const i = step * n;
    let acc = 0;
    for (let j = Math.max(0, i - mid); j <= Math.min(pcm.length - 1, i + mid); j++) {
      acc += kernel[j - i + mid]! * pcm[j]!;
    }
    out[n] = acc;
  }
  return out;
}

function differences(a: Float32Array, b: Float32Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

describe('resampleMono to 11,025 Hz', () => {
  for (const rate of [22_050, 44_100]) {
    it(`gives the straightforward filter’s samples bit for bit from ${rate} Hz`, async () => {
      const music = (
        await decodeAudio(demoTrack('electronic__subcities.ogg'), {
          sampleRate: rate,
          maxAnalysedS: 10,
          segments: 1,
        })
      ).pcm;
      for (const length of [
        music.length,
        music.length - 1,
        music.length - 3,
        12_345,
        64,
        33,
        31,
        30,
        7,
        2,
        1,
        0,
      ]) {
        const pcm = music.subarray(music.length - length);
        const ours = resampleMono(pcm, rate, 11_025);
        const reference = referenceDecimate(pcm, rate / 11_025);
        expect(differences(ours, reference), `length ${length}`).toBe(0);
      }
    });
  }
});
