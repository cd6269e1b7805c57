/**
 * Resampling split between two threads gives the very samples of one pass: output ranges computed
 * apart (core/audio/resample.ts `resampleRange`) on real decoded audio, and the in-process Ogg
 * Opus decoder of the built engine — whose worker thread resamples the second half — against the
 * same decoder on one thread.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodeOggOpusMono } from '../../core/audio/opus-decode.js';
import {
  padForResample,
  resampledLength,
  resamplePcm,
  resampleRange,
} from '../../core/audio/resample.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';
import { FIXTURES } from './helpers.js';

const SR = 22_050;

/** Number of places where two arrays differ (lengths included), bit for bit. */
function differences(a: Float32Array, b: Float32Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

describe('resampling in parts', () => {
  it('gives the samples of one pass for any split of the output', async () => {
    const music = (
      await decodeAudio(demoTrack('metal_rock__chaos_god.ogg'), {
        sampleRate: 24_000,
        maxAnalysedS: 10,
        segments: 1,
      })
    ).pcm;
    for (const [from, to] of [
      [24_000, SR],
      [48_000, SR],
      [24_000, 44_100],
    ] as const) {
      const whole = resamplePcm(music, from, to);
      const padded = padForResample(music, from, to);
      const length = resampledLength(music.length, from, to);
      expect(whole.length).toBe(length);
      for (const splits of [[length >> 1], [1, 147, 1001, length - 1], [7, 12_345]]) {
        const parts = new Float32Array(length);
        const edges = [0, ...splits, length];
        // Computed in reverse order: each range on its own, as on another thread.
        for (let i = edges.length - 2; i >= 0; i--) {
          resampleRange(padded, from, to, parts, edges[i]!, edges[i + 1]!);
        }
        expect(differences(parts, whole)).toBe(0);
      }
    }
  });

  it('decodes Ogg Opus on two threads (built engine) to the one-thread samples', async () => {
    // The built module finds its compiled worker; the TypeScript one here has none (one thread).
    const built = path.join(REPO_ROOT, 'dist', 'core', 'audio', 'opus-decode.js');
    const offThread = path.join(REPO_ROOT, 'dist', 'core', 'fingerprint', 'off-thread.js');
    const twoThreads = (await import(built)) as { decodeOggOpusMono: typeof decodeOggOpusMono };
    const second = (await import(offThread)) as { secondCoreAvailable(): boolean };
    expect(second.secondCoreAvailable()).toBe(true);
    for (const file of [
      path.join(FIXTURES, 'voice-note.ogg'),
      path.join(REPO_ROOT, 'data', 'demo', 'queries', 'voice-note.ogg'),
    ]) {
      const bytes = readFileSync(file);
      const one = await decodeOggOpusMono(bytes, SR);
      const two = await twoThreads.decodeOggOpusMono(bytes, SR);
      expect(one).not.toBeNull();
      expect(two!.pcm.length).toBeGreaterThan(SR); // long enough to be split
      expect(differences(two!.pcm, one!.pcm)).toBe(0);
      expect(two!.pcm.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    }
  });
});
