import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { readOggPackets } from '../../core/audio/ogg-packets.js';
import { decodeOggOpusMono, isOggOpus } from '../../core/audio/opus-decode.js';
import { resamplePcm } from '../../core/audio/resample.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { FIXTURES, ffmpeg } from './helpers.js';

const SR = DEFAULT_LOG_MEL.sampleRate;
/** A real 24 kbit/s mono Ogg Opus voice note (test/fixtures/audio/ATTRIBUTION.md). */
const VOICE_NOTE = path.join(FIXTURES, 'voice-note.ogg');

/** One Ogg page as written: header flags, lacing values and where it lies in the file. */
interface RawPage {
  readonly start: number;
  readonly end: number;
  readonly continued: boolean;
  readonly lacing: number[];
}

/** The pages of an Ogg file, read independently of the code under test. */
function rawPages(bytes: Uint8Array): RawPage[] {
  const pages: RawPage[] = [];
  let at = 0;
  while (at + 27 <= bytes.length) {
    const lacing = [...bytes.subarray(at + 27, at + 27 + bytes[at + 26]!)];
    const end = at + 27 + lacing.length + lacing.reduce((a, b) => a + b, 0);
    pages.push({ start: at, end, continued: (bytes[at + 5]! & 1) === 1, lacing });
    at = end;
  }
  return pages;
}

/**
 * A real mono Ogg Opus file (ffmpeg's libopus encoder and Ogg muxer) whose audio packets span
 * pages after a first audio page that ends on a packet boundary: 3 s of silence (tiny packets)
 * then 5 s of music at 192 kbit/s in 60 ms frames, with pages of up to 3 s, so the music's pages
 * fill their 255 lacing values and packets continue on the next page. prism-media's OggDemuxer
 * stopped at the first such page and the decode came out 5.5 s long, without an error.
 */
function spanningFile(dir: string): Uint8Array {
  const out = path.join(dir, 'spanning.ogg');
  const music = path.join(FIXTURES, 'metal-madness-5s.ogg');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono:d=3', '-i', music],
    ...['-filter_complex', '[0][1]concat=n=2:v=0:a=1,aformat=channel_layouts=mono'],
    ...['-c:a', 'libopus', '-b:a', '192k', '-frame_duration', '60'],
    ...['-page_duration', '3000000', out],
  ]);
  return readFileSync(out);
}

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('in-process Ogg Opus decoding', () => {
  it('gives what ffmpeg gives: same length, same spectrogram within codec-decoder tolerance', async () => {
    const bytes = readFileSync(VOICE_NOTE);
    expect(isOggOpus(bytes)).toBe(true);
    const ours = await decodeAudio(bytes, { sampleRate: SR });
    const ffmpeg = await decodeAudio(bytes, { sampleRate: SR, inProcess: false });
    // Same trimming (pre-skip, end trimming by granule position); ±1 sample of resampler rounding.
    expect(Math.abs(ours.pcm.length - ffmpeg.pcm.length)).toBeLessThanOrEqual(1);
    expect(ours.segments).toHaveLength(1);
    // ffmpeg's own Opus decoder and libopus differ slightly in SILK mode; the waveforms still agree.
    expect(correlation(ours.pcm, ffmpeg.pcm)).toBeGreaterThan(0.95);
    const a = computeLogMel(ours.pcm, DEFAULT_LOG_MEL);
    const b = computeLogMel(ffmpeg.pcm, DEFAULT_LOG_MEL);
    expect(correlation(a.data, b.data)).toBeGreaterThan(0.995);
  });

  it('decodes packets that span Ogg pages to the full length, never silently short', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'synesthete-ogg-'));
    try {
      const bytes = spanningFile(dir);
      const pages = rawPages(bytes);
      // What the file must show for this test to mean anything: an audio page ending on a packet
      // boundary, then pages whose last packet goes on in the next page.
      expect(pages[2]!.lacing.at(-1)).toBeLessThan(255);
      expect(pages.some((p) => p.lacing.at(-1) === 255)).toBe(true);
      expect(pages.some((p) => p.continued)).toBe(true);
      const ours = await decodeOggOpusMono(bytes, SR);
      expect(ours).not.toBeNull(); // handled in process, not handed to ffmpeg
      const ffmpegPcm = (await decodeAudio(bytes, { sampleRate: SR, inProcess: false })).pcm;
      expect(ffmpegPcm.length / SR).toBeCloseTo(8, 1);
      expect(Math.abs(ours!.pcm.length - ffmpegPcm.length)).toBeLessThanOrEqual(1);
      expect(correlation(ours!.pcm, ffmpegPcm)).toBeGreaterThan(0.95);
      const viaDecode = await decodeAudio(bytes, { sampleRate: SR });
      expect(viaDecode.pcm.length).toBe(ours!.pcm.length);

      // A lost page in the middle: the in-process path refuses rather than answering short.
      const lost = pages[4]!;
      const gap = new Uint8Array(bytes.length - (lost.end - lost.start));
      gap.set(bytes.subarray(0, lost.start));
      gap.set(bytes.subarray(lost.end), lost.start);
      expect(readOggPackets(gap)).toBeNull();
      expect(await decodeOggOpusMono(gap, SR)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it does not handle, so ffmpeg decodes it', async () => {
    const bytes = readFileSync(VOICE_NOTE);
    expect(
      await decodeOggOpusMono(readFileSync(path.join(FIXTURES, 'metal-madness-5s.ogg')), SR),
    ).toBeNull();
    // Cut in the middle of a page: the truncation check of the ffmpeg path must still answer.
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    expect(await decodeOggOpusMono(cut, SR)).toBeNull();
    await expect(decodeAudio(cut, { sampleRate: SR, name: 'cut.ogg' })).rejects.toMatchObject({
      code: 'E_DECODE',
    });
    // Longer than allowed here: left to ffmpeg's segmenting path.
    expect(await decodeOggOpusMono(bytes, SR, 1)).toBeNull();
  });

  it('resamples like libswresample: a 1 kHz tone keeps its level and frequency', () => {
    const from = 24_000;
    const tone = Float32Array.from(
      { length: from },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / from),
    );
    const out = resamplePcm(tone, from, SR);
    expect(out.length).toBe(SR);
    let maxError = 0;
    for (let i = 200; i < out.length - 200; i++) {
      maxError = Math.max(
        maxError,
        Math.abs(out[i]! - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR)),
      );
    }
    expect(maxError).toBeLessThan(1e-3);
  });
});
