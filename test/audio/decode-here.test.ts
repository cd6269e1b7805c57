/**
 * Decoding in place (core/audio/decode-here.ts), as an ingest analysis thread does: FFmpeg's
 * libraries in this thread give what the ffmpeg program gives, stripes included, and the time cap
 * still holds although no other thread can stop the decode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { decodesHere } from '../../core/audio/decode-here.js';
import { demoTrack } from '../helpers/paths.js';
import { pearson } from './helpers.js';

const TRACK = demoTrack('metal_rock__Metal_madness.ogg');

describe('decoding in place (SYNESTHETE_DECODE_THREADS=0)', () => {
  const before = process.env.SYNESTHETE_DECODE_THREADS;
  afterEach(() => {
    if (before === undefined) delete process.env.SYNESTHETE_DECODE_THREADS;
    else process.env.SYNESTHETE_DECODE_THREADS = before;
  });

  it('gives the ffmpeg program’s audio, for a whole track and for stripes of it', async () => {
    process.env.SYNESTHETE_DECODE_THREADS = '0';
    expect(decodesHere()).toBe(true);
    for (const options of [
      { sampleRate: 22_050 },
      { sampleRate: 44_100, maxAnalysedS: 12, segments: 3 },
    ]) {
      const here = await decodeAudio(TRACK, { ...options, decoder: 'node-av' });
      const program = await decodeAudio(TRACK, { ...options, decoder: 'ffmpeg' });
      expect(here.decodedBy).toBe('node-av');
      expect(here.segments.map((s) => s.sourceStartS)).toEqual(
        program.segments.map((s) => s.sourceStartS),
      );
      expect(here.segments.length).toBe(options.segments ?? 1);
      const n = Math.min(here.pcm.length, program.pcm.length);
      expect(Math.abs(here.pcm.length - program.pcm.length)).toBeLessThan(0.02 * n);
      expect(n).toBeGreaterThan(options.sampleRate * 10);
      // Stripes joined end to end: compare each one where both hold it.
      for (const [i, s] of here.segments.entries()) {
        const p = program.segments[i]!;
        const len = Math.min(s.length, p.length);
        const r = pearson(
          here.pcm.subarray(s.offset, s.offset + len),
          program.pcm.subarray(p.offset, p.offset + len),
          len,
        );
        expect(r).toBeGreaterThan(0.99);
      }
    }
  });

  it('stops a decode that runs past its time cap with E_DECODE_TIMEOUT, and decodes the next', async () => {
    process.env.SYNESTHETE_DECODE_THREADS = '0';
    await expect(
      decodeAudio(TRACK, { sampleRate: 22_050, timeoutMs: 1, decoder: 'node-av' }),
    ).rejects.toMatchObject({ code: 'E_DECODE_TIMEOUT' });
    const next = await decodeAudio(TRACK, {
      sampleRate: 22_050,
      maxAnalysedS: 5,
      decoder: 'node-av',
    });
    expect(next.pcm.length).toBeGreaterThan(22_050 * 4.9);
  });
});
