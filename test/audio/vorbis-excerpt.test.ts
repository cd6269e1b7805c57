/**
 * In-process Ogg Vorbis excerpts (core/audio/vorbis-excerpt.ts) against ffmpeg on real music: the
 * demo tracks (22,050 Hz mono), and a 60 s stereo 44.1 kHz file made from two of them (left one
 * track, right another) so that the seek lands mid-stream and the stereo mix-down is exercised.
 * The reference is ffmpeg's decode of the whole file, cut at the same sample: ffmpeg's own `-ss`
 * excerpt is only page-accurate (measured up to ±400 samples off its whole decode on corpus
 * tracks), so it is compared after alignment. Then `decodeAudio` with `excerptInProcess`: same
 * checks and errors as the ffmpeg path (a truncated file is still refused).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodeVorbisExcerpt, isOggVorbis } from '../../core/audio/vorbis-excerpt.js';
import { SynestheteError } from '../../core/errors.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES, stereoDemoMix } from './helpers.js';

const clamp = (x: number) => Math.min(1, Math.max(-1, x));

/**
 * Pearson correlation and largest difference of a and b (b clamped as decodeAudio clamps), leaving
 * out `skip` samples at each end.
 */
function compare(a: Float32Array, b: Float32Array, skip = 0): { corr: number; maxErr: number } {
  const n = Math.min(a.length, b.length) - 2 * skip;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  let maxErr = 0;
  for (let i = skip; i < skip + n; i++) {
    const x = a[i]!;
    const y = clamp(b[i]!);
    ab += x * y;
    aa += x * x;
    bb += y * y;
    maxErr = Math.max(maxErr, Math.abs(x - y));
  }
  return { corr: ab / Math.sqrt(aa * bb), maxErr };
}

/** The lag (b shifted against a, |lag| ≤ maxLag) of highest correlation, over the middle of a. */
function bestLag(a: Float32Array, b: Float32Array, maxLag: number): { lag: number; corr: number } {
  let best = { lag: 0, corr: -2 };
  const from = maxLag;
  const to = Math.min(a.length, b.length) - maxLag;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = from; i < to; i += 4) {
      const x = a[i]!;
      const y = b[i + lag]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    const corr = ab / Math.sqrt(aa * bb);
    if (corr > best.corr) best = { lag, corr };
  }
  return best;
}

describe('decodeVorbisExcerpt on real music', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let stereo: string;

  beforeAll(async () => {
    tmp = await tempDir('vorbis-excerpt');
    stereo = path.join(tmp.dir, 'stereo.ogg');
    // 60 s, 44.1 kHz stereo: left two demo tracks one after the other, right two others.
    stereoDemoMix(stereo, ['-ar', '44100', '-c:a', 'libvorbis', '-q:a', '4']);
  });

  afterAll(() => tmp.remove());

  it('recognises Ogg Vorbis and nothing else', () => {
    expect(isOggVorbis(readFileSync(demoTrack('electronic__chaos-fog.ogg')))).toBe(true);
    expect(isOggVorbis(readFileSync(path.join(FIXTURES, 'voice-note.ogg')))).toBe(false); // Opus
    expect(isOggVorbis(new Uint8Array(10))).toBe(false);
  });

  it('decodes a demo track at its own rate as ffmpeg does (max error < 1e-5)', async () => {
    for (const name of ['electronic__chaos-fog.ogg', 'ambient_electronic__Nebula.ogg']) {
      const file = demoTrack(name);
      const ref = await decodeAudio(file, { sampleRate: 22_050, segments: 1, inProcess: false });
      // 31 s asked: all of the 30 s clip comes back, ending at its last granule position (ffmpeg
      // ends 7 samples later: its timeline is shifted, see the module comment).
      const got = await decodeVorbisExcerpt(readFileSync(file), 0, 31, 22_050);
      expect(got, name).not.toBeNull();
      expect(Math.abs(got!.pcm.length - ref.pcm.length), name).toBeLessThanOrEqual(256);
      expect(got!.durationS, name).toBeCloseTo(ref.sourceDurationS, 2);
      const { corr, maxErr } = compare(ref.pcm, got!.pcm);
      expect(corr, name).toBeGreaterThan(0.999_999);
      expect(maxErr, name).toBeLessThan(1e-5);
    }
  });

  it('decodes a demo track excerpt resampled to 44.1 kHz as ffmpeg does (correlation > 0.9999)', async () => {
    const file = demoTrack('metal_rock__Metal_madness.ogg');
    const whole = await decodeAudio(file, { sampleRate: 44_100, segments: 1, inProcess: false });
    const startS = 7.5;
    const got = await decodeVorbisExcerpt(readFileSync(file), startS, 15, 44_100);
    expect(got).not.toBeNull();
    expect(got!.pcm.length).toBe(15 * 44_100);
    const at = Math.round(startS * 44_100);
    // The resampler's edges differ (an excerpt starts and ends afresh): 100 samples at each end are
    // left out.
    const { corr, maxErr } = compare(whole.pcm.subarray(at, at + 15 * 44_100), got!.pcm, 100);
    expect(corr).toBeGreaterThan(0.9999);
    expect(maxErr).toBeLessThan(0.01);
  });

  it('seeks into a 60 s stereo file: the same samples as ffmpeg, mixed to mono as ffmpeg mixes', async () => {
    const bytes = readFileSync(stereo);
    const whole = await decodeAudio(stereo, { sampleRate: 44_100, segments: 1, inProcess: false });
    expect(whole.sourceDurationS).toBeGreaterThan(59);
    const lags = new Set<number>();
    for (const startS of [0, 0.01, 17.3, 29.99, 44]) {
      const got = await decodeVorbisExcerpt(bytes, startS, 12, 44_100);
      expect(got, `from ${startS} s`).not.toBeNull();
      expect(got!.durationS).toBeCloseTo(whole.sourceDurationS, 2);
      expect(got!.pcm.length, `from ${startS} s`).toBe(12 * 44_100);
      const at = Math.round(startS * 44_100);
      // Mid-stream, ffmpeg's timeline may be a fraction of a block off the granule positions.
      const { lag } = bestLag(whole.pcm.subarray(at, at + 12 * 44_100), got!.pcm, 256);
      if (startS < 1) expect(lag, `from ${startS} s`).toBe(0);
      else lags.add(lag);
      const want = whole.pcm.subarray(at - lag, at - lag + 12 * 44_100);
      const { corr, maxErr } = compare(want, got!.pcm);
      expect(corr, `from ${startS} s`).toBeGreaterThan(0.999_999);
      expect(maxErr, `from ${startS} s`).toBeLessThan(1e-4);
    }
    // One constant offset for the whole file, under a block.
    expect(lags.size).toBe(1);
    expect(Math.abs([...lags][0]!)).toBeLessThanOrEqual(256);
    // The end: less comes back, up to the stream's last sample.
    const tail = await decodeVorbisExcerpt(bytes, 55, 30, 44_100);
    expect(Math.abs(tail!.pcm.length - (whole.pcm.length - 55 * 44_100))).toBeLessThanOrEqual(256);
    // Past the end: not handled here (ffmpeg words the error).
    expect(await decodeVorbisExcerpt(bytes, 61, 30, 44_100)).toBeNull();
  });

  it("matches ffmpeg's own -ss excerpt after aligning it (ffmpeg seeks to a page)", async () => {
    const startS = 21.7;
    const ff = await decodeAudio(stereo, {
      sampleRate: 44_100,
      startS,
      maxAnalysedS: 20,
      segments: 1,
      inProcess: false,
    });
    const got = await decodeVorbisExcerpt(readFileSync(stereo), startS, 20, 44_100);
    const { lag, corr } = bestLag(ff.pcm, got!.pcm, 1024);
    expect(Math.abs(lag)).toBeLessThanOrEqual(1024);
    expect(corr).toBeGreaterThan(0.9999);
  });

  it('decodeAudio with excerptInProcess: the excerpt, its source duration, and the same errors', async () => {
    const options = { sampleRate: 44_100, startS: 10, maxAnalysedS: 30, segments: 1 } as const;
    const inProcess = await decodeAudio(stereo, { ...options, excerptInProcess: true });
    expect(inProcess.pcm.length).toBe(30 * 44_100);
    expect(inProcess.segments).toEqual([{ sourceStartS: 10, offset: 0, length: 30 * 44_100 }]);
    const viaFfmpeg = await decodeAudio(stereo, options);
    expect(inProcess.sourceDurationS).toBeCloseTo(viaFfmpeg.sourceDurationS, 2);
    expect(bestLag(viaFfmpeg.pcm, inProcess.pcm, 1024).corr).toBeGreaterThan(0.9999);
    // A truncated file is refused as the ffmpeg path refuses it.
    const cut = path.join(tmp.dir, 'cut.ogg');
    const bytes = readFileSync(stereo);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const error = await decodeAudio(cut, { ...options, excerptInProcess: true }).catch((e) => e);
    expect(error).toBeInstanceOf(SynestheteError);
    expect((error as SynestheteError).code).toBe('E_DECODE');
  });
});
