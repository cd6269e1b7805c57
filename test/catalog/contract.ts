/**
 * The repository contract: one suite, run against every driver (after drizzle-orm's
 * `integration-tests/tests/pg/pg-common.ts`). A driver test supplies a factory that opens the same
 * storage each time it is called.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import type { Catalog } from '../../core/catalog/types.js';
import { hasCode } from '../../core/util/errors.js';
import { newTrack, vector } from './fixtures.js';

/** Opens a catalogue on one storage location; `dispose` removes the storage after the suite. */
export interface CatalogFactory {
  /** Opens (again) the same storage. */
  open(): Promise<Catalog>;
  /** Removes the storage (temporary directory, test database). */
  dispose(): Promise<void>;
}

/**
 * Registers the contract suite.
 *
 * @param name - driver name shown in the test report
 * @param makeFactory - called once, before the suite, to prepare storage
 */
export function catalogContract(name: string, makeFactory: () => Promise<CatalogFactory>): void {
  describe(`catalog contract: ${name}`, () => {
    let factory: CatalogFactory;
    let catalog: Catalog;

    beforeAll(async () => {
      factory = await makeFactory();
      catalog = await factory.open();
    });

    afterAll(async () => {
      await catalog?.close();
      await factory?.dispose();
    });

    beforeEach(async () => {
      for (const track of await catalog.listTracks()) await catalog.deleteTrack(track.id);
    });

    it('inserts, then updates in place on the same source path', async () => {
      const first = await catalog.upsertTrack(newTrack({ title: 'Old', genre: null }));
      expect(first.id).toBeGreaterThan(0);
      expect(first).toMatchObject({ title: 'Old', genre: null, artist: 'Artist', windowCount: 0 });
      expect(first.createdAt).toBeInstanceOf(Date);

      const second = await catalog.upsertTrack(
        newTrack({ title: 'New', genre: 'Rock', contentHash: 'b'.repeat(64), modelVersion: 'v2' }),
      );
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ title: 'New', genre: 'Rock', modelVersion: 'v2' });
      expect(second.contentHash).toBe('b'.repeat(64));
      expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
      expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
      expect(await catalog.count()).toBe(1);
      expect(await catalog.getTrack(first.id)).toMatchObject({ title: 'New' });
    });

    it('round-trips Float32Array embeddings bit for bit, and descriptors', async () => {
      const dim = 128;
      const embedding = vector(1, dim);
      embedding[0] = 1e-30;
      embedding[1] = -3.4028234663852886e38;
      embedding[2] = 1.401298464324817e-45; // smallest subnormal float32
      const windows = new Float32Array(3 * dim);
      for (let w = 0; w < 3; w++) windows.set(vector(10 + w, dim), w * dim);
      const descriptors = {
        tempoBpm: 121.5,
        key: 'F# minor',
        chroma: [0.1, 0.2],
        nested: { a: 1 },
      };
      const saved = await catalog.upsertTrack(
        newTrack({ embedding, windowEmbeddings: windows, windowCount: 3, descriptors }),
      );
      for (const record of [saved, await catalog.getTrack(saved.id)]) {
        expect(record?.embedding).toBeInstanceOf(Float32Array);
        expect(record?.embedding).toEqual(embedding);
        expect(record?.windowEmbeddings).toEqual(windows);
        expect(record?.windowCount).toBe(3);
        expect(record?.descriptors).toEqual(descriptors);
        expect(record?.durationS).toBeCloseTo(183.27, 4);
      }
    });

    it('rejects inconsistent tracks with E_CATALOG', async () => {
      const bad = [
        newTrack({
          embedding: vector(1, 8),
          windowEmbeddings: new Float32Array(13),
          windowCount: 2,
        }),
        newTrack({ windowEmbeddings: new Float32Array(8), windowCount: 0 }),
        newTrack({ embedding: Float32Array.of(Number.NaN, 1) }),
        newTrack({ windowCount: -1 }),
      ];
      for (const track of bad) {
        await expect(catalog.upsertTrack(track)).rejects.toSatisfy((e) => hasCode(e, 'E_CATALOG'));
      }
      expect(await catalog.count()).toBe(0);
    });

    it('getTracks keeps the order of the ids and skips missing ones', async () => {
      const ids: number[] = [];
      for (const n of [1, 2, 3]) {
        ids.push((await catalog.upsertTrack(newTrack({ sourcePath: `/t/${n}.mp3` }))).id);
      }
      const [a, b, c] = ids as [number, number, number];
      const got = await catalog.getTracks([c, 999_999, a, b]);
      expect(got.map((t) => t.id)).toEqual([c, a, b]);
      expect(await catalog.getTracks([])).toEqual([]);
      expect(await catalog.getTrack(999_999)).toBeUndefined();
    });

    it('trackVectors reads the embeddings of the ids of one model version only', async () => {
      const embedded = (sourcePath: string, modelVersion: string, values: number[]) =>
        catalog.upsertTrack(
          newTrack({ sourcePath, modelVersion, embedding: Float32Array.from(values) }),
        );
      const a = await embedded('/v/a.ogg', 'v1', [0.5, -0.25, 1]);
      const b = await embedded('/v/b.ogg', 'v2', [1, 0, 0]);
      const c = await catalog.upsertTrack(newTrack({ sourcePath: '/v/c.ogg', modelVersion: 'v1' }));
      const got = await catalog.trackVectors([a.id, b.id, c.id, 999_999, a.id], 'v1');
      expect([...got.keys()]).toEqual([a.id]);
      expect(got.get(a.id)).toEqual(Float32Array.from([0.5, -0.25, 1]));
      expect((await catalog.trackVectors([b.id, a.id], 'v2')).get(b.id)).toEqual(
        Float32Array.from([1, 0, 0]),
      );
      expect((await catalog.trackVectors([], 'v1')).size).toBe(0);
    });

    it('finds by source path and by content hash', async () => {
      const hash = 'c'.repeat(64);
      const x = await catalog.upsertTrack(newTrack({ sourcePath: '/x.ogg', contentHash: hash }));
      const y = await catalog.upsertTrack(
        newTrack({ sourcePath: '/copy/x.ogg', contentHash: hash }),
      );
      await catalog.upsertTrack(newTrack({ sourcePath: '/z.ogg', contentHash: 'd'.repeat(64) }));
      expect((await catalog.findBySourcePath('/x.ogg'))?.id).toBe(x.id);
      expect(await catalog.findBySourcePath('/nope.ogg')).toBeUndefined();
      expect((await catalog.findByContentHash(hash)).map((t) => t.id)).toEqual([x.id, y.id]);
      expect(await catalog.findByContentHash('e'.repeat(64))).toEqual([]);
    });

    it('lists by id with limit and offset, and deletes', async () => {
      for (const n of [1, 2, 3, 4]) await catalog.upsertTrack(newTrack({ sourcePath: `/l/${n}` }));
      const all = await catalog.listTracks();
      expect(all.map((t) => t.sourcePath)).toEqual(['/l/1', '/l/2', '/l/3', '/l/4']);
      const page = await catalog.listTracks({ limit: 2, offset: 1 });
      expect(page.map((t) => t.sourcePath)).toEqual(['/l/2', '/l/3']);
      await expect(catalog.listTracks({ limit: -1 })).rejects.toSatisfy((e) =>
        hasCode(e, 'E_CATALOG'),
      );
      const first = all[0]!;
      expect(await catalog.deleteTrack(first.id)).toBe(true);
      expect(await catalog.deleteTrack(first.id)).toBe(false);
      expect(await catalog.count()).toBe(3);
    });

    it('counts current and stale embeddings and returns current ones by id', async () => {
      const dim = 8;
      const embedded = (path: string, version: string | null, windows = 0) =>
        newTrack({
          sourcePath: path,
          modelVersion: version,
          embedding: vector(path.length, dim),
          windowEmbeddings: windows > 0 ? new Float32Array(windows * dim).fill(0.5) : null,
          windowCount: windows,
        });
      const a = await catalog.upsertTrack(embedded('/cur/a', 'v2', 2));
      await catalog.upsertTrack(embedded('/old/b', 'v1'));
      await catalog.upsertTrack(embedded('/none/c', null));
      await catalog.upsertTrack(newTrack({ sourcePath: '/noemb/d', modelVersion: 'v2' }));
      const e = await catalog.upsertTrack(embedded('/cur/e', 'v2'));

      expect(await catalog.countByModelVersion('v2')).toEqual({ current: 2, stale: 3 });
      expect(await catalog.countByModelVersion('v9')).toEqual({ current: 0, stale: 5 });
      const rows = await catalog.embeddings('v2');
      expect(rows.map((r) => r.id)).toEqual([a.id, e.id]);
      expect(rows[0]?.windowCount).toBe(2);
      expect(rows[0]?.windowEmbeddings?.length).toBe(2 * dim);
      expect(rows[1]?.windowEmbeddings).toBeNull();
      expect(rows[1]?.embedding).toEqual(vector('/cur/e'.length, dim));
      expect(await catalog.embeddingIds('v2')).toEqual([a.id, e.id]);
    });

    it('returns from an upsert the very record it then reads back', async () => {
      const embedding = vector(5, 16);
      embedding[3] = -0; // stored as its bytes: −0 keeps its sign, both ways
      const windows = new Float32Array(2 * 16);
      windows.set(vector(6, 16));
      windows.set(vector(7, 16), 16);
      windows[20] = -0;
      const saved = await catalog.upsertTrack(
        newTrack({
          sourcePath: '/same/a.ogg',
          durationS: 183.27, // float4: the record holds what the column holds, not the double
          embedding,
          windowEmbeddings: windows,
          windowCount: 2,
          descriptors: { chroma: [0.25, 0.75], key: 'A minor' },
          fingerprint: Uint8Array.from({ length: 512 }, (_, i) => i & 0xff),
        }),
      );
      const read = await catalog.getTrack(saved.id);
      expect(saved).toEqual(read);
      expect(Object.is(read?.embedding?.[3], -0)).toBe(true);
      expect(Object.is(read?.windowEmbeddings?.[20], -0)).toBe(true);
      // Every value exactly as written, bit for bit (float32 as bytes, no text round trip).
      expect(new Uint8Array(read!.embedding!.buffer)).toEqual(new Uint8Array(embedding.buffer));
      expect(new Uint8Array(read!.windowEmbeddings!.buffer)).toEqual(
        new Uint8Array(windows.buffer),
      );
    });

    it('stores a fingerprint as bytes and lists the current-model tracks that have one', async () => {
      const bytes = Uint8Array.from({ length: 4099 }, (_, i) => (i * 37) & 0xff);
      const withPrint = await catalog.upsertTrack(
        newTrack({
          sourcePath: '/fp/a',
          modelVersion: 'v2',
          embedding: vector(3, 8),
          fingerprint: bytes,
        }),
      );
      const without = await catalog.upsertTrack(
        newTrack({ sourcePath: '/fp/b', modelVersion: 'v2', embedding: vector(4, 8) }),
      );
      expect(without.fingerprint).toBeNull();
      for (const record of [withPrint, await catalog.getTrack(withPrint.id)]) {
        expect(record?.fingerprint).toBeInstanceOf(Uint8Array);
        expect(Array.from(record?.fingerprint ?? [])).toEqual(Array.from(bytes));
      }
      const prints = await catalog.fingerprints('v2');
      expect(prints.map((p) => p.id)).toEqual([withPrint.id]);
      expect(prints[0]?.fingerprint.byteLength).toBe(bytes.byteLength);
      expect(await catalog.fingerprints('v1')).toEqual([]);
    });

    it('bumps its version on every statement that changes tracks, and on nothing else', async () => {
      const v0 = await catalog.version();
      const a = await catalog.upsertTrack(newTrack({ sourcePath: '/v/a.wav' }));
      const v1 = await catalog.version();
      expect(v1).toBeGreaterThan(v0);
      await catalog.count();
      await catalog.conversations.recordVote('web:v', a.id, 'up', 10);
      expect(await catalog.version()).toBe(v1);
      await catalog.upsertTrack(newTrack({ sourcePath: '/v/a.wav', title: 'again' }));
      const v2 = await catalog.version();
      expect(v2).toBeGreaterThan(v1);
      await catalog.deleteTrack(a.id);
      expect(await catalog.version()).toBeGreaterThan(v2);
    });

    it('lists every track id with its source path', async () => {
      const a = await catalog.upsertTrack(newTrack({ sourcePath: '/s/a.wav' }));
      const b = await catalog.upsertTrack(newTrack({ sourcePath: '/s/b.wav' }));
      expect(await catalog.listSources()).toEqual([
        { id: a.id, sourcePath: '/s/a.wav' },
        { id: b.id, sourcePath: '/s/b.wav' },
      ]);
    });

    it('keeps conversation votes (latest per track, bounded), forgets them, and claims a key once', async () => {
      const store = catalog.conversations;
      await store.forget('web:c1');
      await store.recordVote('web:c1', 11, 'up', 3);
      await store.recordVote('web:c1', 12, 'down', 3);
      await store.recordVote('web:c2', 11, 'down', 3);
      await store.recordVote('web:c1', 11, 'down', 3); // replaces the 👍, now the newest
      expect(await store.votes('web:c1')).toEqual({ liked: [], disliked: [12, 11] });
      await store.recordVote('web:c1', 13, 'up', 3);
      await store.recordVote('web:c1', 14, 'up', 3); // 12, the oldest, goes
      expect(await store.votes('web:c1')).toEqual({ liked: [13, 14], disliked: [11] });
      expect(await store.votes('web:c2')).toEqual({ liked: [], disliked: [11] });
      expect(await store.forget('web:c1')).toBe(true);
      expect(await store.forget('web:c1')).toBe(false);
      expect(await store.votes('web:c1')).toEqual({ liked: [], disliked: [] });
      expect(await store.votes('web:c2')).toEqual({ liked: [], disliked: [11] });

      const key = `slack:event:${Math.random()}`;
      expect(await store.claimOnce(key, 60)).toBe(true);
      expect(await store.claimOnce(key, 60)).toBe(false);
      const [first, second] = await Promise.all([
        store.claimOnce(`${key}:2`, 60),
        store.claimOnce(`${key}:2`, 60),
      ]);
      expect([first, second].sort()).toEqual([false, true]);
    });

    it('keeps its data across close and reopen (migrations are idempotent)', async () => {
      const kept = await catalog.upsertTrack(newTrack({ sourcePath: '/kept.wav' }));
      await catalog.close();
      await catalog.close(); // idempotent
      catalog = await factory.open();
      expect((await catalog.findBySourcePath('/kept.wav'))?.id).toBe(kept.id);
      expect(await catalog.count()).toBe(1);
    });
  });
}

/** Opens a catalogue and expects it to fail with E_CATALOG; returns the message. */
export async function openFailure(location: string): Promise<string> {
  try {
    const catalog = await openCatalog(location);
    await catalog.close();
  } catch (error) {
    expect(hasCode(error, 'E_CATALOG')).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`opening ${location} unexpectedly succeeded`);
}
