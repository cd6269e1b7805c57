/**
 * The engine as adapters use it (`openEngine` → recommend / similar / ingest), on a temporary
 * PGlite catalogue of four demo tracks and the shipped model.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, RecommendedTrack } from '../../core/engine.js';
import { openEngine } from '../../core/engine.js';
import { hasCurrentFingerprint } from '../../core/fingerprint/stored-fingerprint.js';
import { NOT_MUSIC_MESSAGE } from '../../core/model/music-gate.js';
import { SynestheteError } from '../../core/util/errors.js';
import { ffmpeg, makeOpusCut } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const TRACKS = [
  'metal_rock__Metal_madness.ogg',
  'ambient_electronic__Nebula.ogg',
  'fantasy_rpg__town_theme.ogg',
  'electronic__chaos-fog.ogg',
] as const;

/** Awaits `promise` and returns the SynestheteError code it rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof SynestheteError
      ? error.code
      : `not a SynestheteError: ${String(error)}`;
  }
  return 'resolved';
}

/** The invariants of every result list. */
function checkRanked(results: readonly RecommendedTrack[]): void {
  results.forEach((r, i) => {
    expect(r.rank).toBe(i + 1);
    expect(r.similarity).toBeGreaterThanOrEqual(-1);
    expect(r.similarity).toBeLessThanOrEqual(1.0001);
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.reason).toMatch(/\S/);
    if (i > 0) {
      expect(r.similarity).toBeLessThanOrEqual(results[i - 1]!.similarity);
      // Calibration is monotonic: a less similar track is never more confident.
      expect(r.confidence).toBeLessThanOrEqual(results[i - 1]!.confidence);
    }
  });
  expect(new Set(results.map((r) => r.trackId)).size).toBe(results.length);
}

describe('openEngine', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  let music: string;
  let cut: string;
  /** A voice-note cut of a demo track that is never ingested. */
  let outsider: string;

  beforeAll(async () => {
    tmp = await tempDir('engine');
    music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    cut = await makeOpusCut(demoTrack(TRACKS[0]), path.join(tmp.dir, 'cut.ogg'), {
      startS: 15,
      seconds: 10,
    });
    outsider = await makeOpusCut(
      demoTrack('orchestral_fantasy__northerners.ogg'),
      path.join(tmp.dir, 'outsider.ogg'),
      { startS: 10, seconds: 10 },
    );
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
  });

  afterAll(async () => {
    await engine?.close();
    await tmp.remove();
  });

  it('refuses to recommend from an empty catalogue with E_EMPTY_CATALOG', async () => {
    expect(await codeOf(engine.recommend(cut))).toBe('E_EMPTY_CATALOG');
    expect(await codeOf(engine.similar(1))).toBe('E_NOT_FOUND');
  });

  describe('with four tracks ingested', () => {
    let firstIngest: Awaited<ReturnType<Engine['ingest']>>;
    const ids = new Map<string, number>();

    beforeAll(async () => {
      firstIngest = await engine.ingest([music], { concurrency: 2 });
      for (const name of TRACKS) {
        const track = await engine.catalog.findBySourcePath(path.join(music, name));
        ids.set(name, track!.id);
      }
    });

    it('ingests every track', () => {
      expect(firstIngest).toMatchObject({
        total: 4,
        added: 4,
        updated: 0,
        unchanged: 0,
        reused: 0,
      });
      expect(firstIngest.failed).toEqual([]);
      expect(firstIngest.audioSeconds).toBeGreaterThan(4 * 29);
    });

    it('names a voice-note cut as the match and returns k others, best first', async () => {
      const result = await engine.recommend(cut, { k: 2 });
      expect(result.match?.trackId).toBe(ids.get(TRACKS[0]));
      expect(result.match?.title).toBe('Metal madness');
      // Named by its landmark fingerprint, with where in the track the cut starts (15 s).
      expect(result.match?.method).toBe('fingerprint');
      expect(Math.abs((result.match?.offsetS ?? 0) - 15)).toBeLessThan(0.1);
      expect(result.candidate).toMatchObject({
        trackId: ids.get(TRACKS[0]),
        method: 'fingerprint',
      });
      expect(result.recommendations).toHaveLength(2);
      checkRanked(result.recommendations);
      expect(result.recommendations.map((r) => r.trackId)).not.toContain(result.match?.trackId);
      expect(result.query.analysedS).toBeGreaterThan(9.5);
      expect(result.query.analysedS).toBeLessThan(10.5);
      expect(result.query.summary).toMatch(/\S/);
    });

    it('answers an identified clip with its track’s own neighbours, as `similar` ranks them', async () => {
      const result = await engine.recommend(cut, { k: 3 });
      const neighbours = await engine.similar(ids.get(TRACKS[0])!, { k: 3 });
      expect(result.match?.trackId).toBe(ids.get(TRACKS[0]));
      expect(result.recommendations.map((r) => r.trackId)).toEqual(
        neighbours.recommendations.map((r) => r.trackId),
      );
      result.recommendations.forEach((r, i) => {
        expect(r.similarity).toBeCloseTo(neighbours.recommendations[i]!.similarity, 5);
      });
    });

    it('treats `absent` tracks as not in the catalogue: not named, not recommended', async () => {
      const id = ids.get(TRACKS[0])!;
      const result = await engine.recommend(cut, { k: 5, absent: [id] });
      expect(result.match).toBeUndefined();
      expect(result.candidate?.trackId).not.toBe(id);
      expect(result.recommendations.map((r) => r.trackId)).not.toContain(id);
      expect(result.recommendations).toHaveLength(3);
      checkRanked(result.recommendations);
    });

    it('calls a silent clip silence', async () => {
      const silent = path.join(tmp.dir, 'silent.ogg');
      await ffmpeg([
        '-f',
        'lavfi',
        '-i',
        'anullsrc=r=48000:cl=mono',
        '-t',
        '5',
        '-c:a',
        'libopus',
        silent,
      ]);
      const result = await engine.recommend(silent);
      expect(result.music).toMatchObject({ isMusic: false, reason: 'silence' });
      expect(result.recommendations).toEqual([]);
      expect(result.match).toBeUndefined();
      expect(NOT_MUSIC_MESSAGE).toBe("I couldn't hear music in that");
      // A voice-note cut of a song is searched.
      expect((await engine.recommend(cut, { k: 1 })).recommendations).toHaveLength(1);
    });

    it('names no match for a clip of a track that is not in the catalogue', async () => {
      const result = await engine.recommend(outsider);
      expect(result.match).toBeUndefined();
      expect(result.recommendations).toHaveLength(4);
      checkRanked(result.recommendations);
    });

    it('returns every other track when k exceeds the catalogue', async () => {
      const result = await engine.recommend(cut, { k: 10 });
      expect(result.recommendations).toHaveLength(3);
      checkRanked(result.recommendations);
    });

    it('gives the same answer for the bytes of the clip as for its path', async () => {
      const fromPath = await engine.recommend(cut);
      const fromBytes = await engine.recommend(new Uint8Array(await readFile(cut)), {
        analyze: { name: 'voice-note.ogg' },
      });
      expect(fromBytes.match?.trackId).toBe(fromPath.match?.trackId);
      expect(fromBytes.recommendations.map((r) => r.trackId)).toEqual(
        fromPath.recommendations.map((r) => r.trackId),
      );
      fromBytes.recommendations.forEach((r, i) => {
        expect(r.similarity).toBeCloseTo(fromPath.recommendations[i]!.similarity, 5);
      });
    });

    it('lists neighbours of a catalogue track without the track itself', async () => {
      const id = ids.get(TRACKS[1])!;
      const result = await engine.similar(id, { k: 5 });
      expect(result.track.trackId).toBe(id);
      expect(result.recommendations).toHaveLength(3);
      checkRanked(result.recommendations);
      expect(result.recommendations.map((r) => r.trackId)).not.toContain(id);
      const byPath = await engine.similar(path.join(music, TRACKS[1]), { k: 5 });
      expect(byPath.recommendations).toEqual(result.recommendations);
      expect(await codeOf(engine.similar(99_999))).toBe('E_NOT_FOUND');
    });

    it('skips unchanged files on a second ingest', async () => {
      const again = await engine.ingest([music]);
      expect(again).toMatchObject({ total: 4, added: 0, updated: 0, unchanged: 4, reused: 0 });
      expect(again.audioSeconds).toBe(0);
    });

    it('re-fingerprints a track stored without a fingerprint (a catalogue from before them)', async () => {
      const file = path.join(music, TRACKS[1]);
      const stored = await engine.catalog.findBySourcePath(file);
      expect(hasCurrentFingerprint(stored?.fingerprint ?? null)).toBe(true);
      const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = stored!;
      await engine.catalog.upsertTrack({ ...rest, fingerprint: null });
      const summary = await engine.ingest([music]);
      expect(summary).toMatchObject({ total: 4, added: 0, updated: 1, unchanged: 3 });
      const again = await engine.catalog.findBySourcePath(file);
      expect(hasCurrentFingerprint(again?.fingerprint ?? null)).toBe(true);
      expect((await engine.indexes()).landmarks.trackCount).toBe(4);
    });

    it('reuses the analysis of a file copied under a new name', async () => {
      const copy = path.join(music, 'copy of town theme.ogg');
      await copyFile(path.join(music, TRACKS[2]), copy);
      const summary = await engine.ingest([music]);
      expect(summary).toMatchObject({ total: 5, added: 0, updated: 0, unchanged: 4, reused: 1 });
      expect(summary.audioSeconds).toBe(0);
      const original = await engine.catalog.getTrack(ids.get(TRACKS[2])!);
      const twin = await engine.catalog.findBySourcePath(copy);
      expect(twin?.id).not.toBe(original?.id);
      expect(twin?.contentHash).toBe(original?.contentHash);
      expect(Array.from(twin?.embedding ?? [])).toEqual(Array.from(original?.embedding ?? []));
      // The index was refreshed: the copy is in it, and the original is nearest to it by cosine...
      const indexes = await engine.indexes();
      expect(indexes.tracks.size).toBe(5);
      const hit = indexes.tracks.query(twin!.embedding!, 2).find((h) => h.label === original?.id);
      expect(hit?.similarity).toBeCloseTo(1, 4);
      // ...but a byte-identical file is never recommended as "similar" to itself.
      const near = await engine.similar(copy, { k: 4 });
      expect(near.recommendations.map((r) => r.trackId)).not.toContain(original?.id);
      expect(near.recommendations).toHaveLength(3);
    });

    it('rejects an ingest of a path that does not exist with E_NOT_FOUND', async () => {
      expect(await codeOf(engine.ingest([path.join(tmp.dir, 'nowhere')]))).toBe('E_NOT_FOUND');
    });
  });
});
