/**
 * Resampling split between two threads gives the very samples of one pass: output ranges computed
 * apart (core/audio/resample.ts `resampleRange`) on real decoded audio, outputs computed while the
 * signal is still being written (`resampleReady`), and the in-process Ogg Opus decoder of the
 * built engine — whose worker thread resamples while the main thread decodes — against the same
 * decoder on one thread.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodeOggOpusMono } from '../../core/audio/opus-decode.js';
import {
  paddedLength,
  padEnd,
  padForResample,
  padStart,
  resampledLength,
  resampleLead,
  resamplePcm,
  resampleRange,
  resampleReady,
} from '../../core/audio/resample.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES, ffmpeg } from './helpers.js';

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

  it('computes early outputs from a signal still being written, reading only what is there', async () => {
    const music = (
      await decodeAudio(demoTrack('fantasy_rpg__town_theme.ogg'), {
        sampleRate: 24_000,
        maxAnalysedS: 6,
        segments: 1,
      })
    ).pcm;
    const [from, to] = [24_000, SR];
    const whole = resamplePcm(music, from, to);
    const length = music.length;
    const lead = resampleLead(from, to);
    // NaN wherever nothing was written yet: an output that read such a place would be NaN.
    const padded = new Float32Array(paddedLength(length, from, to)).fill(Number.NaN);
    const out = new Float32Array(whole.length).fill(Number.NaN);
    let done = 0;
    for (let written = 0; written < length; ) {
      const piece = Math.min(length - written, 4_801);
      padded.set(music.subarray(written, written + piece), lead + written);
      written += piece;
      if (written <= lead) continue;
      padStart(padded, length, from, to);
      if (written === length) break;
      const ready = resampleReady(lead + written, out.length, from, to);
      expect(ready).toBeGreaterThan(done);
      resampleRange(padded, from, to, out, done, ready);
      done = ready;
    }
    expect(done).toBeGreaterThan(whole.length / 2);
    padded.fill(0, lead + length);
    padEnd(padded, length, from, to);
    resampleRange(padded, from, to, out, done, out.length);
    expect(differences(out, whole)).toBe(0);
  });

  it('decodes Ogg Opus on two threads (built engine) to the one-thread samples', async () => {
    // The built module finds its compiled worker; the TypeScript one here has none (one thread).
    const built = path.join(REPO_ROOT, 'dist', 'core', 'audio', 'opus-decode.js');
    const offThread = path.join(REPO_ROOT, 'dist', 'core', 'fingerprint', 'off-thread.js');
    const twoThreads = (await import(built)) as { decodeOggOpusMono: typeof decodeOggOpusMono };
    const second = (await import(offThread)) as { secondCoreAvailable(): boolean };
    expect(second.secondCoreAvailable()).toBe(true);
    // Also a bench-style cut, whose last granule position counts the pre-skip (end trimming).
    const temp = await tempDir('synesthete-split-');
    const cut = path.join(temp.dir, 'cut.ogg');
    ffmpeg([
      ...['-ss', '7', '-t', '15', '-i', demoTrack('ambient_electronic__A_New_Journey.ogg')],
      ...['-ac', '1', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', cut],
    ]);
    for (const file of [
      path.join(FIXTURES, 'voice-note.ogg'),
      path.join(REPO_ROOT, 'data', 'demo', 'queries', 'voice-note.ogg'),
      cut,
    ]) {
      const bytes = readFileSync(file);
      const one = await decodeOggOpusMono(bytes, SR);
      const two = await twoThreads.decodeOggOpusMono(bytes, SR);
      expect(one).not.toBeNull();
      expect(two!.pcm.length).toBeGreaterThan(SR); // long enough to be split
      expect(differences(two!.pcm, one!.pcm)).toBe(0);
      // Left in shared memory, so that the worker reads it again for the fingerprint and the
      // descriptors without a copy.
      expect(two!.pcm.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    await temp.remove();
  });
});
