/**
 * Ingest on worker threads (core/ingest/pool.ts) gives the catalogue a single-thread ingest gives:
 * twelve real demo tracks and three broken files through `synesthete ingest --profile fast` with
 * `-j 1` (one analysis thread) and `-j 2` (two analysis threads); same tracks, tags,
 * embeddings (within float rounding), window embeddings, descriptors and fingerprints, and the same
 * three files reported and skipped. Then, from the built module, a pool whose threads cannot load
 * the model: every file is analysed on the main thread instead, none lost.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, TrackRecord } from '../../core/catalog/index.js';
import { openCatalog } from '../../core/catalog/index.js';
import type { IngestSummary } from '../../core/ingest/ingest.js';
import { loadEmbeddingModel } from '../../core/model/embedder.js';
import { type BadFiles, makeBadFiles } from '../helpers/audio.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { DEMO_TRACKS_DIR, demoTrack, REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

type Summary = IngestSummary & { indexed: number };

async function tracksOf(location: string): Promise<Map<string, TrackRecord>> {
  const catalog: Catalog = await openCatalog(location);
  try {
    const rows = await catalog.listTracks({ limit: 1000 });
    return new Map(rows.map((t) => [path.basename(t.sourcePath), t]));
  } finally {
    await catalog.close();
  }
}

function maxAbsDiff(a: Float32Array | null, b: Float32Array | null): number {
  if (!a || !b || a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('ingest on worker threads (-j 2) against one thread (-j 1)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let music: string;
  let bad: BadFiles;
  let one: CliResult;
  let two: CliResult;
  let good: string[];

  beforeAll(async () => {
    tmp = await tempDir('ingest-threads');
    music = path.join(tmp.dir, 'music');
    await mkdir(music);
    // Every third demo track: two of each of the six styles.
    good = (await readdir(DEMO_TRACKS_DIR))
      .filter((n) => n.endsWith('.ogg'))
      .sort()
      .filter((_, i) => i % 3 === 0);
    for (const name of good) await copyFile(demoTrack(name), path.join(music, name));
    bad = await makeBadFiles(music, demoTrack(good[0]!));
    const args = ['ingest', music, '--profile', 'fast', '--json'];
    one = await runCli([...args, '-j', '1', '--catalog', path.join(tmp.dir, 'one')], {
      timeoutMs: 240_000,
    });
    two = await runCli([...args, '-j', '2', '--catalog', path.join(tmp.dir, 'two')], {
      timeoutMs: 240_000,
    });
  }, 500_000);

  afterAll(() => tmp.remove());

  it('adds the same twelve tracks and skips the same three broken files', () => {
    expect(good).toHaveLength(12);
    for (const run of [one, two]) {
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as Summary;
      expect(summary).toMatchObject({ total: 15, added: 12, updated: 0, unchanged: 0 });
      expect(summary.indexed).toBe(12);
      expect(Object.fromEntries(summary.failed.map((f) => [f.file, f.code]))).toEqual({
        [bad.notAudio]: 'E_DECODE',
        [bad.empty]: 'E_INPUT_EMPTY',
        [bad.truncated]: 'E_DECODE',
      });
    }
  });

  it('stores the same analysis for every track, under the same ids (inserted in input order)', async () => {
    const a = await tracksOf(path.join(tmp.dir, 'one'));
    const b = await tracksOf(path.join(tmp.dir, 'two'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBe(12);
    const ids = (m: Map<string, TrackRecord>) =>
      [...m].map(([name, t]) => [name, t.id] as const).sort((x, y) => x[1] - y[1]);
    expect(ids(b)).toEqual(ids(a));
    // Input order is the folder's order (names by localeCompare): ids rise with the file name.
    const byId = ids(b).map(([name]) => name);
    expect(byId).toEqual([...byId].sort((x, y) => x.localeCompare(y)));
    for (const [name, x] of a) {
      const y = b.get(name)!;
      expect(y.contentHash, name).toBe(x.contentHash);
      expect(y.title, name).toBe(x.title);
      expect(y.durationS, name).toBeCloseTo(x.durationS ?? Number.NaN, 3);
      expect(y.windowCount, name).toBe(x.windowCount);
      expect(maxAbsDiff(x.embedding, y.embedding), name).toBeLessThan(1e-5);
      expect(maxAbsDiff(x.windowEmbeddings, y.windowEmbeddings), name).toBeLessThan(1e-5);
      expect(y.descriptors, name).toEqual(x.descriptors);
      expect(Buffer.from(y.fingerprint ?? []).equals(Buffer.from(x.fingerprint ?? [])), name).toBe(
        true,
      );
    }
  });
});

describe('ingest pool whose threads cannot load the model', () => {
  it('analyses every file on the main thread instead: none lost', async () => {
    // The built modules: the pool's thread file exists only there.
    const built = (file: string) => path.join(REPO_ROOT, 'dist', file);
    const { ingestPaths } = (await import(
      built('core/ingest/ingest.js')
    )) as typeof import('../../core/ingest/ingest.js');
    const { openCatalog: openBuilt } = (await import(
      built('core/catalog/index.js')
    )) as typeof import('../../core/catalog/index.js');
    const tmp = await tempDir('ingest-pool-failure');
    try {
      const model = await loadEmbeddingModel();
      // Threads load the model from its directory and refuse it: its version is not this one.
      const renamed = { ...model, metadata: { ...model.metadata, version: 'not-on-disk' } };
      const catalog = await openBuilt(path.join(tmp.dir, 'catalog'));
      try {
        const files = ['electronic__chaos-fog.ogg', 'fantasy_rpg__town_theme.ogg'].map(demoTrack);
        const summary = await ingestPaths(catalog, renamed, files, {
          profile: 'fast',
          concurrency: 2,
        });
        expect(summary).toMatchObject({ total: 2, added: 2, failed: [] });
        const rows = await catalog.listTracks();
        expect(rows.map((r) => r.modelVersion)).toEqual(['not-on-disk', 'not-on-disk']);
      } finally {
        await catalog.close();
        model.dispose();
      }
    } finally {
      await tmp.remove();
    }
  }, 240_000);
});
