/**
 * In-process excerpts by FFmpeg's libraries (core/audio/libav-excerpt.ts) against the ffmpeg
 * program's `-ss S -t T -ac 1 -ar R` on real music: a 44.1 kHz stereo Ogg Vorbis file and a
 * 48 kHz stereo Ogg Opus file made from demo tracks (left one track, right another), so the seek
 * lands mid-stream, the mix-down is exercised and, for Opus, the rate is converted. The same
 * libraries should give the same samples, except where this path is meant to differ: an Opus
 * decoder started mid-stream gets half a second of pre-roll here, none in the program.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodeExcerptLibav, loadLibav } from '../../core/audio/libav-excerpt.js';
import { tempDir } from '../helpers/temp.js';
import { expectCode, lenaPath, stereoDemoMix } from './helpers.js';

const RATE = 44_100;

/** Largest |a − clamp(b)| over a[from, to). */
function maxError(a: Float32Array, b: Float32Array, from: number, to: number): number {
  let max = 0;
  for (let i = from; i < to; i++) {
    max = Math.max(max, Math.abs(a[i]! - Math.min(1, Math.max(-1, b[i]!))));
  }
  return max;
}

/** The ffmpeg program's excerpt, as `decodeAudio` runs it (a child process). */
async function programExcerpt(file: string, startS: number, lengthS: number) {
  return decodeAudio(file, {
    sampleRate: RATE,
    startS,
    maxAnalysedS: lengthS,
    segments: 1,
    inProcess: false,
  });
}

describe('decodeExcerptLibav on real music', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let vorbis: string;
  let opus: string;

  beforeAll(async () => {
    tmp = await tempDir('libav-excerpt');
    vorbis = path.join(tmp.dir, 'stereo.ogg');
    opus = path.join(tmp.dir, 'stereo.opus');
    stereoDemoMix(vorbis, ['-ar', '44100', '-c:a', 'libvorbis', '-q:a', '4']);
    stereoDemoMix(opus, ['-ar', '48000', '-c:a', 'libopus', '-b:a', '96k']);
  });

  afterAll(() => tmp.remove());

  it('loads on this platform (node-av and its prebuilt FFmpeg are installed)', async () => {
    expect(await loadLibav()).not.toBeNull();
  });

  it('gives the ffmpeg program’s Vorbis excerpt sample for sample, from the start and mid-stream', async () => {
    for (const startS of [0, 17.3, 41.05]) {
      const got = await decodeExcerptLibav(vorbis, startS, 12, RATE);
      const want = await programExcerpt(vorbis, startS, 12);
      expect(got, `from ${startS} s`).not.toBeNull();
      expect(got!.pcm.length, `from ${startS} s`).toBe(12 * RATE);
      expect(got!.durationS).toBeCloseTo(want.sourceDurationS, 2);
      expect(got!.durationS).toBeGreaterThan(59);
      // The resampler's last samples are flushed differently: 64 are left out.
      const n = Math.min(got!.pcm.length, want.pcm.length) - 64;
      expect(maxError(want.pcm, got!.pcm, 0, n), `from ${startS} s`).toBeLessThan(1e-5);
    }
  });

  it('gives the program’s Opus excerpt at 44.1 kHz; mid-stream it is right from the first sample', async () => {
    const fromStart = await decodeExcerptLibav(opus, 0, 12, RATE);
    const program0 = await programExcerpt(opus, 0, 12);
    expect(fromStart!.pcm.length).toBe(12 * RATE);
    // From the start: the pre-skip dropped as the program drops it, the same samples throughout.
    expect(maxError(program0.pcm, fromStart!.pcm, 0, 12 * RATE - 64)).toBeLessThan(1e-5);

    const startS = 23.5;
    const got = await decodeExcerptLibav(opus, startS, 12, RATE);
    const program = await programExcerpt(opus, startS, 12);
    expect(got!.pcm.length).toBe(12 * RATE);
    // After the program's decoder has settled (it starts without pre-roll), the same samples.
    const settled = Math.round(0.25 * RATE);
    expect(maxError(program.pcm, got!.pcm, settled, 12 * RATE - 64)).toBeLessThan(1e-5);
    // Before that, this excerpt is already the whole file's decode (the reference; the program's
    // may not be yet, by up to ~0.2 s on corpus tracks): its first 0.2 s, past the resampler's
    // first samples.
    const whole = await decodeAudio(opus, { sampleRate: RATE, segments: 1, maxAnalysedS: 60 });
    const at = Math.round(startS * RATE);
    const reference = whole.pcm.subarray(at, at + settled);
    expect(maxError(reference, got!.pcm, 64, Math.round(0.2 * RATE))).toBeLessThan(1e-3);
  });

  it('returns null, never throws, for what it does not handle', async () => {
    expect(await decodeExcerptLibav(lenaPath('wav'), 0, 5, RATE)).toBeNull();
    expect(await decodeExcerptLibav(lenaPath('mp3'), 0, 5, RATE)).toBeNull();
    const text = path.join(tmp.dir, 'notes.ogg');
    writeFileSync(text, 'not audio at all, whatever the extension says\n'.repeat(100));
    expect(await decodeExcerptLibav(text, 0, 5, RATE)).toBeNull();
    expect(await decodeExcerptLibav(path.join(tmp.dir, 'missing.ogg'), 0, 5, RATE)).toBeNull();
  });

  it('decodeAudio with excerptInProcess: the same errors as the ffmpeg program', async () => {
    const options = { sampleRate: RATE, maxAnalysedS: 30, segments: 1 } as const;
    // Past the end of a 60 s file (the program's Ogg demuxer would land on the last page).
    await expectCode(
      decodeAudio(opus, { ...options, startS: 75, excerptInProcess: true }),
      'E_INPUT_DURATION',
    );
    await expectCode(decodeAudio(opus, { ...options, startS: 75 }), 'E_INPUT_DURATION');
    // Longer than the cap.
    await expectCode(
      decodeAudio(vorbis, { ...options, startS: 5, maxDurationS: 30, excerptInProcess: true }),
      'E_INPUT_DURATION',
    );
    // Cut short: the last page is incomplete, and the ffmpeg path says so.
    const cut = path.join(tmp.dir, 'cut.opus');
    const bytes = readFileSync(opus);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expectCode(
      decodeAudio(cut, { ...options, startS: 5, excerptInProcess: true }),
      'E_DECODE',
    );
  });
});
