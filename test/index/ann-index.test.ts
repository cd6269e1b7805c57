import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactIndex } from '../../core/index/exact-index.js';
import { HnswIndex } from '../../core/index/hnsw-index.js';
import { hasCode } from '../../core/util/errors.js';
import { clusteredVectors } from './vectors.js';

const DIM = 128;
const COUNT = 5_000;
const QUERIES = 200;
const K = 5;

describe('HnswIndex against ExactIndex', () => {
  // Queries come from the same clusters as the data but are not in the index.
  const all = clusteredVectors(42, COUNT + QUERIES, DIM, 100, 0.08);
  const data = all.slice(0, COUNT);
  const queries = all.slice(COUNT);
  // Labels are sparse like track ids, not 0..n-1.
  const items = data.map((vector, i) => ({ label: 3 * i + 1, vector }));
  let hnsw: HnswIndex;
  let exact: ExactIndex;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synesthete-ann-'));
    hnsw = HnswIndex.build(items, DIM);
    exact = ExactIndex.build(items, DIM);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`has recall@${K} ≥ 0.98 on ${COUNT} clustered ${DIM}-d unit vectors`, () => {
    expect(hnsw.size).toBe(COUNT);
    let found = 0;
    for (const q of queries) {
      const truth = new Set(exact.query(q, K).map((h) => h.label));
      found += hnsw.query(q, K).filter((h) => truth.has(h.label)).length;
    }
    const recall = found / (QUERIES * K);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  });

  it('finds at least as many true neighbours with a longer search list (ef), and k at any ef', () => {
    // Dense clusters where the default list misses some: 2,000 vectors around 4 centres.
    const dense = clusteredVectors(7, 2_200, DIM, 4, 0.3);
    const denseItems = dense.slice(0, 2_000).map((vector, label) => ({ label, vector }));
    const index = HnswIndex.build(denseItems, DIM, { m: 8, efConstruction: 40 });
    const truthIndex = ExactIndex.build(denseItems, DIM);
    const recallAt = (ef: number | undefined) => {
      let found = 0;
      for (const q of dense.slice(2_000)) {
        const truth = new Set(truthIndex.query(q, K).map((h) => h.label));
        const got = index.query(q, K, undefined, ef);
        expect(got).toHaveLength(K);
        found += got.filter((h) => truth.has(h.label)).length;
      }
      return found / (200 * K);
    };
    const atDefault = recallAt(undefined);
    const atLong = recallAt(800);
    expect(atLong).toBeGreaterThanOrEqual(atDefault);
    expect(atLong).toBeGreaterThanOrEqual(0.98);
    expect(recallAt(1)).toBeLessThanOrEqual(atDefault); // clamped to k, still k hits
  });

  it('returns cosine similarities, best first, that agree with the exact index', () => {
    const q = queries[0]!;
    const approx = hnsw.query(q, K);
    const truth = exact.query(q, K);
    expect(approx).toHaveLength(K);
    for (let i = 1; i < approx.length; i++) {
      expect(approx[i - 1]!.similarity).toBeGreaterThanOrEqual(approx[i]!.similarity);
    }
    expect(approx[0]!.similarity).toBeCloseTo(truth[0]!.similarity, 5);
    // An indexed vector finds itself with similarity 1.
    const self = hnsw.query(items[10]!.vector, 1)[0]!;
    expect(self.label).toBe(items[10]!.label);
    expect(self.similarity).toBeCloseTo(1, 5);
  });

  it('applies filters and clamps k', () => {
    const q = items[0]!.vector;
    const odd = (label: number) => label % 2 === 1;
    for (const index of [hnsw, exact]) {
      const hits = index.query(q, K, odd);
      expect(hits).toHaveLength(K);
      expect(hits.every((h) => odd(h.label))).toBe(true);
      expect(index.query(q, K, (label) => label !== items[0]!.label)[0]?.label).not.toBe(
        items[0]!.label,
      );
      expect(index.query(q, 0)).toEqual([]);
    }
    const small = HnswIndex.build(items.slice(0, 3), DIM);
    expect(small.query(q, 10)).toHaveLength(3);
  });

  it('saves and loads to the same answers', async () => {
    const path = join(dir, 'round-trip.hnsw');
    hnsw.save(path);
    const loaded = HnswIndex.load(path, DIM);
    expect(loaded.size).toBe(COUNT);
    expect(loaded.dim).toBe(DIM);
    for (const q of queries.slice(0, 20)) expect(loaded.query(q, K)).toEqual(hnsw.query(q, K));
  });

  it('refuses garbage, truncated, wrong-dimension and missing files with E_EMPTY_CATALOG', async () => {
    const path = join(dir, 'good.hnsw');
    HnswIndex.build(items.slice(0, 200), DIM).save(path);
    const bytes = await readFile(path);

    const garbage = join(dir, 'garbage.hnsw');
    await writeFile(garbage, Buffer.from(bytes.map((_, i) => (i * 2654435761) >>> 24)));
    const short = join(dir, 'short.hnsw');
    await writeFile(short, bytes);
    await truncate(short, bytes.length - 100);
    const links = join(dir, 'links.hnsw');
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0xfffffff0, 96 + 4); // first neighbour of element 0 out of range
    await writeFile(links, broken);

    for (const [file, dim] of [
      [garbage, DIM],
      [short, DIM],
      [links, DIM],
      [path, 64],
      [join(dir, 'missing.hnsw'), DIM],
    ] as const) {
      expect(() => HnswIndex.load(file, dim), file).toThrow(
        expect.toSatisfy((e: unknown) => hasCode(e, 'E_EMPTY_CATALOG')),
      );
    }
  });

  it('handles an empty index', async () => {
    const empty = HnswIndex.build([], DIM);
    expect(empty.size).toBe(0);
    expect(empty.query(queries[0]!, K)).toEqual([]);
    const path = join(dir, 'empty.hnsw');
    empty.save(path);
    expect(HnswIndex.load(path, DIM).size).toBe(0);
    expect(ExactIndex.build([], DIM).query(queries[0]!, K)).toEqual([]);
  });

  it('rejects wrong dimensions and bad labels with E_INTERNAL', () => {
    const internal = expect.toSatisfy((e: unknown) => hasCode(e, 'E_INTERNAL'));
    expect(() => hnsw.query(new Float32Array(3), K)).toThrow(internal);
    expect(() => HnswIndex.build([{ label: -1, vector: items[0]!.vector }], DIM)).toThrow(internal);
    expect(() =>
      ExactIndex.build(
        [
          { label: 1, vector: items[0]!.vector },
          { label: 1, vector: items[1]!.vector },
        ],
        DIM,
      ),
    ).toThrow(internal);
  });
});
