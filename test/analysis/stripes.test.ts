/**
 * A catalogue track's stripes decoded and analysed one at a time (a path) give what one decode of
 * all of them gives (the same file's bytes, decoded in one piece): the same spectrograms, timbre
 * statistics, landmarks and chroma, on real music at 44,100 Hz; and the fingerprint of stretches
 * is the join of theirs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseStripes, type StripeAnalysis, stripeCount } from '../../core/analysis/stripes.js';
import { decodeAudio } from '../../core/audio/decode.js';
import { TIMBRE_PARAMS } from '../../core/features/timbre.js';
import { fingerprintPcm, joinFingerprints } from '../../core/fingerprint/fingerprint.js';
import { FULL_STRIPES } from '../../core/ingest/profile.js';
import { DEFAULT_LOG_MEL } from '../../core/model/metadata.js';
import { ffmpeg } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const PARTS = [
  'metal_rock__Metal_madness.ogg',
  'ambient_electronic__Aberrations.ogg',
  'electronic__subcities.ogg',
  'metal_rock__chaos_god.ogg',
] as const;

const OPTIONS = {
  sampleRate: TIMBRE_PARAMS.sampleRate,
  features: DEFAULT_LOG_MEL,
  wideBand: true,
  fingerprint: true,
  chroma: true,
} as const;

describe('stripes analysed one at a time', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let long: string;
  let streamed: StripeAnalysis;
  let whole: StripeAnalysis;

  beforeAll(async () => {
    tmp = await tempDir('stripes');
    long = path.join(tmp.dir, 'long.ogg');
    // Two minutes of music at 44,100 Hz, as a catalogue track is stored.
    await ffmpeg([
      ...PARTS.flatMap((p) => ['-i', demoTrack(p)]),
      ...['-filter_complex', '[0][1][2][3]concat=n=4:v=0:a=1[a]', '-map', '[a]'],
      ...['-ac', '1', '-ar', '44100', '-c:a', 'libvorbis', '-q:a', '4', long],
    ]);
    const excerpt = await decodeAudio(long, {
      sampleRate: DEFAULT_LOG_MEL.sampleRate,
      startS: 45,
      maxAnalysedS: 30,
      segments: 1,
    });
    const analysed = await analyseStripes(long, {}, excerpt, FULL_STRIPES, OPTIONS);
    const fromBytes = await analyseStripes(
      new Uint8Array(await readFile(long)),
      { name: 'long.ogg' },
      excerpt,
      FULL_STRIPES,
      OPTIONS,
    );
    if (!analysed || !fromBytes) throw new Error('no stripes were analysed');
    streamed = analysed;
    whole = fromBytes;
  }, 120_000);

  afterAll(() => tmp?.remove());

  it('covers the whole track: 10 stripes of 8 s for 2 minutes', () => {
    expect(stripeCount(120, FULL_STRIPES)).toEqual({ count: 10, maxAnalysedS: 80 });
    expect(streamed.logMels).toHaveLength(10);
    expect(streamed.timbreParts).toHaveLength(10);
  });

  it('gives the spectrograms and timbre statistics of one decode of all stripes', () => {
    expect(whole.logMels).toHaveLength(streamed.logMels.length);
    streamed.logMels.forEach((logMel, i) => {
      const other = whole.logMels[i]!;
      expect(logMel.frames).toBe(other.frames);
      expect(logMel.frames).toBeGreaterThan(300); // ~8 s at 22,050 Hz, hop 512
      let worst = 0;
      for (let j = 0; j < logMel.data.length; j++) {
        worst = Math.max(worst, Math.abs(logMel.data[j]! - other.data[j]!));
      }
      expect(worst).toBeLessThan(1e-4);
    });
    streamed.timbreParts.forEach((part, i) => {
      const other = whole.timbreParts[i]!;
      expect(part.frames).toBe(other.frames);
      for (let j = 0; j < part.timbre.length; j++) {
        expect(part.timbre[j]).toBeCloseTo(other.timbre[j]!, 4);
      }
    });
  });

  it('gives the landmarks and chroma of one decode of all stripes', async () => {
    const [a, b] = await Promise.all([streamed.fingerprint!, whole.fingerprint!]);
    expect(a.hashes.length).toBeGreaterThan(1000);
    expect(Array.from(a.hashes)).toEqual(Array.from(b.hashes));
    expect(Array.from(a.times)).toEqual(Array.from(b.times));
    expect(a.peakCount).toBe(b.peakCount);
    expect(a.seconds).toBeCloseTo(b.seconds, 6);
    expect(a.seconds).toBeCloseTo(80, 0);
    expect(a.chroma).toHaveLength(10);
    expect(b.chroma).toHaveLength(10);
    a.chroma?.forEach((c, i) => {
      expect(c.chroma.length).toBeGreaterThan(12 * 30);
      expect(Array.from(c.chroma)).toEqual(Array.from(b.chroma?.[i]?.chroma ?? []));
    });
  });

  it('joins per-stretch fingerprints into the fingerprint of the stretches together', async () => {
    const decoded = await decodeAudio(long, { sampleRate: 44_100, maxAnalysedS: 24, segments: 3 });
    const stretches = decoded.segments;
    expect(stretches).toHaveLength(3);
    const together = fingerprintPcm(decoded.pcm, 44_100, stretches, { chroma: true });
    const joined = joinFingerprints(
      stretches.map((s) =>
        fingerprintPcm(
          decoded.pcm.slice(s.offset, s.offset + s.length),
          44_100,
          [{ offset: 0, length: s.length, sourceStartS: s.sourceStartS }],
          { chroma: true },
        ),
      ),
    );
    expect(Array.from(joined.hashes)).toEqual(Array.from(together.hashes));
    expect(Array.from(joined.times)).toEqual(Array.from(together.times));
    expect(joined.peakCount).toBe(together.peakCount);
    expect(joined.chroma).toHaveLength(3);
    expect(Array.from(joined.chroma?.[2]?.chroma ?? [])).toEqual(
      Array.from(together.chroma?.[2]?.chroma ?? []),
    );
  });
});
