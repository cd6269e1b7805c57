/**
 * The half-band halving of the fast ingest path (core/audio/half-band.ts): what it passes and
 * what it stops, measured on sines at 44,100 Hz, and on real music the model's spectrogram of its
 * output against libswresample's filter.
 */
import { describe, expect, it } from 'vitest';
import { decimateByTwo } from '../../core/audio/decimate.js';
import { decodeAudio } from '../../core/audio/decode.js';
import { halfBandGain, halveSampleRate } from '../../core/audio/half-band.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { demoTrack } from '../helpers/paths.js';

/** RMS of the middle half of a signal (away from the edges). */
function middleRms(x: Float32Array): number {
  let sum = 0;
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / (to - from));
}

const sine = (hz: number, seconds = 1, rate = 44_100) =>
  Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) =>
    Math.sin((2 * Math.PI * hz * i) / rate),
  );

describe('halveSampleRate', () => {
  it('passes the band up to 8.9 kHz and stops what would alias from above 13.3 kHz', () => {
    for (const hz of [100, 1000, 5000, 8000, 8800]) {
      const gainDb = 20 * Math.log10(middleRms(halveSampleRate(sine(hz))) / Math.SQRT1_2);
      expect(Math.abs(gainDb), `${hz} Hz`).toBeLessThan(0.01);
    }
    for (const hz of [13_400, 15_000, 18_000, 21_000]) {
      const gainDb = 20 * Math.log10(middleRms(halveSampleRate(sine(hz))) / Math.SQRT1_2);
      expect(gainDb, `${hz} Hz`).toBeLessThan(-80);
    }
    expect(halfBandGain(0)).toBeCloseTo(1, 12);
    expect(halfBandGain(0.25)).toBeCloseTo(0.5, 3);
  });

  it('keeps decimateByTwo’s length and alignment, and its model spectrogram on real music', async () => {
    for (const length of [0, 1, 2, 3, 47, 48, 1001]) {
      expect(halveSampleRate(new Float32Array(length)), `length ${length}`).toHaveLength(
        Math.ceil(length / 2),
      );
    }
    // A 1 kHz sine comes out in phase with the exact filter's output.
    const exact = decimateByTwo(sine(1000));
    const cheap = halveSampleRate(sine(1000));
    let diff = 0;
    for (let i = 100; i < exact.length - 100; i++)
      diff = Math.max(diff, Math.abs(exact[i]! - cheap[i]!));
    expect(diff).toBeLessThan(1e-3);

    const { pcm } = await decodeAudio(demoTrack('electronic__chaos-fog.ogg'), {
      sampleRate: 44_100,
      maxAnalysedS: 30,
    });
    const want = computeLogMel(decimateByTwo(pcm), DEFAULT_LOG_MEL);
    const got = computeLogMel(halveSampleRate(pcm), DEFAULT_LOG_MEL);
    expect(got.frames).toBe(want.frames);
    let worst = 0;
    for (let i = 0; i < want.data.length; i++) {
      worst = Math.max(worst, Math.abs(want.data[i]! - got.data[i]!));
    }
    expect(worst).toBeLessThan(0.01);
  });
});
