/**
 * The 2:1 decimator of the fast ingest path (core/audio/decimate.ts) gives what the general
 * resampler gives for 44,100 → 22,050 Hz, on real music decoded by ffmpeg and on the short
 * lengths where the edge padding decides every output.
 */
import { describe, expect, it } from 'vitest';
import { decimateByTwo } from '../../core/audio/decimate.js';
import { decodeAudio } from '../../core/audio/decode.js';
import { resamplePcm } from '../../core/audio/resample.js';
import { demoTrack } from '../helpers/paths.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('decimateByTwo', () => {
  it('matches resamplePcm 44,100 → 22,050 Hz on a real 30 s track and on short inputs', async () => {
    const { pcm } = await decodeAudio(demoTrack('electronic__chaos-fog.ogg'), {
      sampleRate: 44_100,
      maxAnalysedS: 30,
    });
    expect(pcm.length).toBeGreaterThan(44_100 * 29);
    for (const length of [pcm.length, pcm.length - 1, 1, 2, 3, 33, 65, 66, 67, 1001]) {
      // From the loud middle, so that the edges see real signal.
      const x = pcm
        .subarray(pcm.length - length - Math.floor((pcm.length - length) / 2))
        .subarray(0, length);
      const want = resamplePcm(x, 44_100, 22_050);
      const got = decimateByTwo(x);
      expect(got.length, `length ${length}`).toBe(want.length);
      expect(maxAbsDiff(got, want), `length ${length}`).toBeLessThan(1e-6);
    }
    expect(decimateByTwo(new Float32Array(0))).toHaveLength(0);
  });
});
