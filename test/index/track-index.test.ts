import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import type { Catalog, NewTrack } from '../../core/catalog/types.js';
import { indexDirFor } from '../../core/index/index-dir.js';
import {
  ensureTrackIndexes,
  INDEX_FILES,
  type IndexSidecar,
  invalidateTrackIndexes,
  preloadTrackIndexes,
} from '../../core/index/track-index.js';
import { packageRoot } from '../../core/util/paths.js';
import { clusteredVectors } from './vectors.js';

const DIM = 16;
const WINDOWS = 4;
const TRACKS = 24;

/** A track whose windows are noisy copies of its own direction (like windows of one song). */
function track(n: number, modelVersion: string): NewTrack {
  const windows = clusteredVectors(1000 + n, WINDOWS, DIM, 1, 0.05);
  const flat = new Float32Array(WINDOWS * DIM);
  windows.forEach((w, i) => {
    flat.set(w, i * DIM);
  });
  return {
    sourcePath: `/music/${n}.ogg`,
    contentHash: String(n).padStart(64, '0'),
    title: `Track ${n}`,
    artist: null,
    album: null,
    genre: null,
    durationS: 30,
    embedding: windows[0]!,
    windowEmbeddings: flat,
    windowCount: WINDOWS,
    descriptors: null,
    modelVersion,
  };
}

describe('ensureTrackIndexes', () => {
  let catalog: Catalog;
  let dir: string;
  const options = () => ({ dir, modelVersion: 'v1', dim: DIM });

  beforeAll(async () => {
    catalog = await openCatalog('memory://');
    dir = join(await mkdtemp(join(tmpdir(), 'synesthete-index-test-')), 'index');
    for (let n = 1; n <= TRACKS; n++) await catalog.upsertTrack(track(n, 'v1'));
    await catalog.upsertTrack({ ...track(99, 'v0'), sourcePath: '/music/stale.ogg' });
  });

  afterAll(async () => {
    await catalog?.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('builds, saves, then loads without rebuilding', async () => {
    const built = await ensureTrackIndexes(catalog, options());
    expect(built.rebuilt).toBe(true);
    expect(built.persisted).toBe(true);
    expect(built.tracks.size).toBe(TRACKS);
    expect(built.windows.size).toBe(TRACKS * WINDOWS);
    const sidecar = JSON.parse(
      await readFile(join(dir, INDEX_FILES.sidecar), 'utf8'),
    ) as IndexSidecar;
    expect(sidecar).toMatchObject({
      modelVersion: 'v1',
      dim: DIM,
      trackCount: TRACKS,
      windowCount: TRACKS * WINDOWS,
    });
    expect(sidecar.windowTable).toHaveLength(TRACKS);

    const loaded = await ensureTrackIndexes(catalog, options());
    expect(loaded.rebuilt).toBe(false);
    expect(loaded.tracks.size).toBe(TRACKS);
    const probe = (await catalog.findBySourcePath('/music/7.ogg'))!;
    expect(loaded.tracks.query(probe.embedding!, 1)[0]).toMatchObject({ label: probe.id });
  });

  it('identifies the track and window of a window vector', async () => {
    const { windows } = await ensureTrackIndexes(catalog, options());
    for (const n of [1, 13, TRACKS]) {
      const record = (await catalog.findBySourcePath(`/music/${n}.ogg`))!;
      const w = 2;
      const vector = record.windowEmbeddings!.subarray(w * DIM, (w + 1) * DIM);
      const [best] = windows.query(vector, 3);
      expect(best).toMatchObject({ trackId: record.id, windowIndex: w });
      expect(best!.similarity).toBeCloseTo(1, 5);
    }
  });

  it('rebuilds after a model-version change', async () => {
    const other = await ensureTrackIndexes(catalog, { ...options(), modelVersion: 'v0' });
    expect(other.rebuilt).toBe(true);
    expect(other.tracks.size).toBe(1);
    const back = await ensureTrackIndexes(catalog, options());
    expect(back.rebuilt).toBe(true);
    expect((await ensureTrackIndexes(catalog, options())).rebuilt).toBe(false);
  });

  it('rebuilds after a new or deleted track', async () => {
    const added = await catalog.upsertTrack(track(50, 'v1'));
    const afterAdd = await ensureTrackIndexes(catalog, options());
    expect(afterAdd.rebuilt).toBe(true);
    expect(afterAdd.tracks.size).toBe(TRACKS + 1);
    await catalog.deleteTrack(added.id);
    const afterDelete = await ensureTrackIndexes(catalog, options());
    expect(afterDelete.rebuilt).toBe(true);
    expect(afterDelete.tracks.size).toBe(TRACKS);
  });

  it('rebuilds, without crashing, when a file is corrupted, truncated or deleted', async () => {
    const damage: Array<() => Promise<void>> = [
      () => writeFile(join(dir, INDEX_FILES.tracks), 'garbage '.repeat(100)),
      async () => {
        const bytes = await readFile(join(dir, INDEX_FILES.windows));
        await writeFile(join(dir, INDEX_FILES.windows), bytes.subarray(0, bytes.length >> 1));
      },
      () => rm(join(dir, INDEX_FILES.windows)),
      () => writeFile(join(dir, INDEX_FILES.sidecar), '{"format": 1, "dim": '),
      () => rm(join(dir, INDEX_FILES.sidecar)),
      () => invalidateTrackIndexes(dir),
    ];
    for (const harm of damage) {
      expect((await ensureTrackIndexes(catalog, options())).rebuilt).toBe(false);
      await harm();
      const again = await ensureTrackIndexes(catalog, options());
      expect(again.rebuilt).toBe(true);
      expect(again.windows.size).toBe(TRACKS * WINDOWS);
    }
  });

  it('shares one build between concurrent calls', async () => {
    await invalidateTrackIndexes(dir);
    const [a, b] = await Promise.all([
      ensureTrackIndexes(catalog, options()),
      ensureTrackIndexes(catalog, options()),
    ]);
    expect(a).toBe(b);
  });
});

describe('preloadTrackIndexes', () => {
  let catalog: Catalog;
  let dir: string;
  const options = () => ({ dir, modelVersion: 'v1', dim: DIM });

  beforeAll(async () => {
    catalog = await openCatalog('memory://');
    dir = join(await mkdtemp(join(tmpdir(), 'synesthete-preload-test-')), 'index');
    for (let n = 1; n <= 12; n++) await catalog.upsertTrack(track(n, 'v1'));
  });

  afterAll(async () => {
    await catalog?.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('reads the saved files ahead, used only while they match the catalogue', async () => {
    expect(await preloadTrackIndexes(options())).toBeUndefined(); // nothing saved yet
    await ensureTrackIndexes(catalog, { ...options(), catalogVersion: await catalog.version() });
    expect(await preloadTrackIndexes({ ...options(), modelVersion: 'v0' })).toBeUndefined();
    expect(await preloadTrackIndexes({ ...options(), dim: DIM + 1 })).toBeUndefined();

    const ahead = await preloadTrackIndexes(options());
    expect(ahead?.indexes.tracks.size).toBe(12);
    const version = await catalog.version();
    const used = await ensureTrackIndexes(catalog, {
      ...options(),
      catalogVersion: version,
      preloaded: Promise.resolve(ahead),
    });
    expect(used.tracks).toBe(ahead!.indexes.tracks);
    expect(used.rebuilt).toBe(false);

    // A track added since the files were read: they are not used, the indexes are rebuilt.
    const stale = await preloadTrackIndexes(options());
    await catalog.upsertTrack(track(13, 'v1'));
    const rebuilt = await ensureTrackIndexes(catalog, {
      ...options(),
      catalogVersion: await catalog.version(),
      preloaded: Promise.resolve(stale),
    });
    expect(rebuilt.tracks).not.toBe(stale!.indexes.tracks);
    expect(rebuilt.rebuilt).toBe(true);
    expect(rebuilt.tracks.size).toBe(13);

    // Files of another folder are never taken for this one's.
    const elsewhere = { ...stale!, dir: join(dir, 'other') };
    const loaded = await ensureTrackIndexes(catalog, {
      ...options(),
      catalogVersion: await catalog.version(),
      preloaded: Promise.resolve(elsewhere),
    });
    expect(loaded.tracks).not.toBe(stale!.indexes.tracks);
    expect(loaded.rebuilt).toBe(false);
  });
});

describe('ensureTrackIndexes with track vectors long enough to project', () => {
  const WIDE = 1_024;
  let catalog: Catalog;
  let dir: string;
  const options = () => ({ dir, modelVersion: 'v1', dim: WIDE, windowDim: DIM });
  const vectors = clusteredVectors(77, 40, WIDE, 8, 0.02);

  beforeAll(async () => {
    catalog = await openCatalog('memory://');
    dir = join(await mkdtemp(join(tmpdir(), 'synesthete-index-wide-')), 'index');
    for (let n = 0; n < vectors.length; n++) {
      await catalog.upsertTrack({ ...track(n + 1, 'v1'), embedding: vectors[n]! });
    }
  });

  afterAll(async () => {
    await catalog?.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('keeps the full vectors in a row file, answers with their exact cosine, and rebuilds when that file is damaged', async () => {
    const built = await ensureTrackIndexes(catalog, options());
    expect(built.rebuilt).toBe(true);
    expect(existsSync(join(dir, INDEX_FILES.trackRows))).toBe(true);
    const sidecar = JSON.parse(
      await readFile(join(dir, INDEX_FILES.sidecar), 'utf8'),
    ) as IndexSidecar;
    expect(sidecar.projection?.dim).toBe(256);
    const hits = built.tracks.query(vectors[3]!, 5);
    expect(hits[0]?.similarity).toBeCloseTo(1, 5);
    const ids = await catalog.embeddingIds('v1');
    expect(hits[0]?.label).toBe(ids[3]);

    const loaded = await ensureTrackIndexes(catalog, options());
    expect(loaded.rebuilt).toBe(false);
    expect(loaded.tracks.query(vectors[3]!, 5)).toEqual(hits);

    const rows = await readFile(join(dir, INDEX_FILES.trackRows));
    await writeFile(join(dir, INDEX_FILES.trackRows), rows.subarray(0, rows.length - 8));
    const again = await ensureTrackIndexes(catalog, options());
    expect(again.rebuilt).toBe(true);
    expect(again.tracks.query(vectors[3]!, 5)).toEqual(hits);
    await invalidateTrackIndexes(dir);
    expect(existsSync(join(dir, INDEX_FILES.trackRows))).toBe(false);
  });
});

describe('indexDirFor', () => {
  it('puts index files beside a PGlite directory, in the user cache for PostgreSQL (never in the package), in tmp for memory', () => {
    const env = { XDG_CACHE_HOME: '/var/cache/me' };
    expect(indexDirFor({ kind: 'pglite', location: '/srv/catalog' }, undefined, env)).toBe(
      '/srv/catalog/index',
    );
    const pgCatalog = { kind: 'postgres', location: 'postgres://u:***@h/db' } as const;
    const pg = indexDirFor(pgCatalog, undefined, env);
    expect(pg).toMatch(/^\/var\/cache\/me\/synesthete\/index\/[0-9a-f]{12}$/);
    expect(indexDirFor(pgCatalog, undefined, {})).not.toContain(packageRoot());
    const memory = { kind: 'pglite', location: 'memory://' } as const;
    const tmp = indexDirFor(memory, undefined, env);
    expect(tmp.startsWith(tmpdir())).toBe(true);
    expect(existsSync(tmp)).toBe(true);
    expect(indexDirFor(memory)).toBe(tmp);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('takes a configured folder first (option, then SYNESTHETE_INDEX_DIR), resolved absolute', () => {
    const pg = { kind: 'postgres', location: 'postgres://h/db' } as const;
    const env = { SYNESTHETE_INDEX_DIR: '/srv/index' };
    expect(indexDirFor(pg, '/opt/idx', env)).toBe('/opt/idx');
    expect(indexDirFor(pg, undefined, env)).toBe('/srv/index');
    expect(indexDirFor({ kind: 'pglite', location: '/c' }, 'rel', {})).toBe(resolve('rel'));
  });
});
