/**
 * Indexes that follow the catalogue: a track another connection adds, re-embeds or deletes shows up
 * in a running process's indexes within a few poll intervals, with the previous indexes answering
 * meanwhile; on PostgreSQL with two real connections, and on an in-memory PGlite catalogue.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import type { Catalog, NewTrack } from '../../core/catalog/types.js';
import { followCatalog, type LiveIndexes } from '../../core/index/live-indexes.js';
import { createTestDatabase, newTrack, vector } from '../catalog/fixtures.js';

const DIM = 16;

function track(n: number, seed = n): NewTrack {
  const v = vector(seed, DIM);
  return newTrack({
    sourcePath: `/music/${n}.ogg`,
    contentHash: String(n).padStart(64, '0'),
    embedding: v,
    windowEmbeddings: v,
    windowCount: 1,
    modelVersion: 'v1',
  });
}

/** Polls `probe` every 50 ms until it returns true; the milliseconds it took, or throws. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await probe()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the PostgreSQL part is skipped without it. */
const adminUrl = process.env.TEST_DATABASE_URL;
/** Appended to the titles of the tests that need PostgreSQL, so a skipped run says why. */
const pgNote = adminUrl
  ? ''
  : ' (skipped: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)';

describe.skipIf(!adminUrl)(`live indexes on PostgreSQL (two connections)${pgNote}`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let reader: Catalog;
  let writer: Catalog;
  let live: LiveIndexes;
  let dir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(adminUrl as string);
    reader = await openCatalog(db.url);
    writer = await openCatalog(db.url);
    dir = await mkdtemp(join(tmpdir(), 'synesthete-live-'));
    for (let n = 1; n <= 5; n++) await writer.upsertTrack(track(n));
    live = followCatalog(reader, {
      dir: join(dir, 'index'),
      modelVersion: 'v1',
      dim: DIM,
      pollMs: 100,
      log: (line) => lines.push(line),
    });
  });

  afterAll(async () => {
    live?.stop();
    await reader?.close();
    await writer?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('adds a track another connection ingests, within a second', async () => {
    const before = await live.current();
    expect(before.tracks.size).toBe(5);
    const added = await writer.upsertTrack(track(6));
    const ms = await within(3000, async () => (await live.current()).tracks.size === 6);
    expect(ms).toBeLessThan(1500);
    const hit = (await live.current()).tracks.query(vector(6, DIM), 1)[0];
    expect(hit?.label).toBe(added.id);
    expect((await live.current()).windows.query(vector(6, DIM), 1)[0]?.trackId).toBe(added.id);
    // The indexes it answered with before are untouched (queries in flight keep working).
    expect(before.tracks.size).toBe(5);
    expect(lines.some((l) => /catalogue changed .*6 tracks indexed/.test(l))).toBe(true);
  });

  it('follows a track re-embedded in place (same id) and a track deleted', async () => {
    const moved = await writer.upsertTrack(track(2, 200));
    await within(3000, async () => {
      const hit = (await live.current()).tracks.query(vector(200, DIM), 1)[0];
      return hit?.label === moved.id && hit.similarity > 0.999;
    });
    const gone = await writer.findBySourcePath('/music/3.ogg');
    await writer.deleteTrack(gone?.id ?? -1);
    await within(3000, async () => (await live.current()).tracks.size === 5);
    const labels = (await live.current()).tracks.query(vector(3, DIM), 5).map((h) => h.label);
    expect(labels).not.toContain(gone?.id);
  });

  it('hears a change at once through NOTIFY, without waiting for the next poll', async () => {
    const watcher = await openCatalog(db.url);
    const heard = followCatalog(watcher, {
      dir: join(dir, 'index-notify'),
      modelVersion: 'v1',
      dim: DIM,
      pollMs: 60_000,
    });
    try {
      const before = (await heard.current()).tracks.size;
      const started = performance.now();
      await writer.upsertTrack(track(7));
      const ms = await within(5000, async () => (await heard.current()).tracks.size === before + 1);
      process.stderr.write(`[live] change heard and indexes swapped in ${ms.toFixed(0)} ms\n`);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      heard.stop();
      await watcher.close();
    }
  });

  it('loads what another process saved at the same version instead of rebuilding', async () => {
    const other = followCatalog(writer, {
      dir: join(dir, 'index'),
      modelVersion: 'v1',
      dim: DIM,
      pollMs: 0,
    });
    await within(3000, async () => live.version === (await writer.version()));
    const loaded = await other.current();
    expect(loaded.rebuilt).toBe(false);
    expect(loaded.tracks.size).toBe(6);
    other.stop();
  });
});

describe('live indexes on PGlite (check on demand)', () => {
  it('swaps in new indexes after a change, and not without one', async () => {
    const catalog = await openCatalog('memory://');
    const dir = await mkdtemp(join(tmpdir(), 'synesthete-live-'));
    try {
      await catalog.upsertTrack(track(1));
      const live = followCatalog(catalog, { dir, modelVersion: 'v1', dim: DIM, pollMs: 0 });
      expect((await live.current()).tracks.size).toBe(1);
      expect(await live.check()).toBe(false);
      await catalog.upsertTrack(track(2));
      expect(await live.check()).toBe(true);
      expect((await live.current()).tracks.size).toBe(2);
      live.reset();
      expect(live.version).toBeUndefined();
      expect((await live.current()).tracks.size).toBe(2);
      expect(live.version).toBe(await catalog.version());
      live.stop();
    } finally {
      await catalog.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
