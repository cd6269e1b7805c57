/**
 * The `fast` ingest profile on real music: a 90 s track (three demo tracks back to back, Ogg
 * Vorbis) is analysed from one 30 s excerpt in its middle (30–60 s). A voice note cut from inside
 * the excerpt is still named; one cut from the first 30 s gets recommendations but no match —
 * what the fast profile gives up, said plainly. The full profile names both.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggDurationS } from '../../core/audio/ogg-duration.js';
import { type Engine, openEngine } from '../../core/engine.js';
import {
  FAST_EXCERPT_S,
  FAST_MAX_WINDOWS,
  FULL_MAX_WINDOWS,
  FULL_STRIPES,
  profileAnalysis,
} from '../../core/ingest/profile.js';
import { ffmpeg, makeOpusCut } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const PARTS = [
  'metal_rock__Metal_madness.ogg',
  'metal_rock__chaos_god.ogg',
  'electronic__subcities.ogg',
] as const;

describe('ingest --profile fast', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let fast: Engine;
  let full: Engine;
  let long: string;
  let inside: string;
  let outside: string;

  beforeAll(async () => {
    tmp = await tempDir('ingest-profile');
    long = path.join(tmp.dir, 'long.ogg');
    await ffmpeg([
      ...PARTS.flatMap((p) => ['-i', demoTrack(p)]),
      ...['-filter_complex', '[0][1][2]concat=n=3:v=0:a=1[a]', '-map', '[a]'],
      ...['-ac', '1', '-c:a', 'libvorbis', '-q:a', '4', long],
    ]);
    inside = await makeOpusCut(long, path.join(tmp.dir, 'inside.ogg'), { startS: 38, seconds: 12 });
    outside = await makeOpusCut(long, path.join(tmp.dir, 'outside.ogg'), {
      startS: 5,
      seconds: 12,
    });
    fast = await openEngine({ catalog: path.join(tmp.dir, 'fast') });
    full = await openEngine({ catalog: path.join(tmp.dir, 'full') });
    const others = [demoTrack('ambient_electronic__Aberrations.ogg')];
    await fast.ingest([long, ...others], { profile: 'fast' });
    await full.ingest([long, ...others], { profile: 'full' });
  }, 240_000);

  afterAll(async () => {
    await fast?.close();
    await full?.close();
    await tmp?.remove();
  });

  it('places one 30 s excerpt in the middle of the track, by its Ogg duration', async () => {
    const durationS = await oggDurationS(long);
    expect(durationS).toBeGreaterThan(89);
    expect(durationS).toBeLessThan(91);
    const options = profileAnalysis('fast', durationS);
    expect(options.maxAnalysedS).toBe(FAST_EXCERPT_S);
    expect(options.excerptStartS).toBeCloseTo(((durationS ?? 0) - FAST_EXCERPT_S) / 2, 2);
    expect(profileAnalysis('fast', 20).excerptStartS).toBe(0);
    const full = profileAnalysis('full', durationS);
    expect(full.excerptStartS).toBe(options.excerptStartS);
    expect(full.stripes).toEqual(FULL_STRIPES);
    expect(full.maxWindows).toBe(FULL_MAX_WINDOWS);
    expect(() => profileAnalysis('quick', 60)).toThrow(/unknown ingest profile/);
  });

  it('stores the whole track duration and at most 20 windows of the excerpt', async () => {
    const track = await fast.catalog.findBySourcePath(long);
    expect(track?.durationS).toBeGreaterThan(89);
    expect(track?.windowCount).toBeGreaterThan(0);
    expect(track?.windowCount).toBeLessThanOrEqual(FAST_MAX_WINDOWS);
    const fullTrack = await full.catalog.findBySourcePath(long);
    expect(fullTrack?.windowCount).toBeGreaterThan(FAST_MAX_WINDOWS);
  });

  it('names the track from a voice note inside the excerpt, at the right offset', async () => {
    const answer = await fast.recommend(inside);
    expect(answer.match?.sourcePath).toBe(long);
    expect(answer.match?.method).toBe('fingerprint');
    expect(answer.match?.offsetS).toBeGreaterThan(36);
    expect(answer.match?.offsetS).toBeLessThan(40);
  });

  it('does not name it from a voice note outside the excerpt (what fast gives up); full does', async () => {
    const answer = await fast.recommend(outside);
    expect(answer.match).toBeUndefined();
    expect(answer.recommendations.length).toBeGreaterThan(0);
    const fullAnswer = await full.recommend(outside);
    expect(fullAnswer.match?.sourcePath).toBe(long);
  });
});
