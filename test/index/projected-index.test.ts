import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactIndex } from '../../core/index/exact-index.js';
import { PROJECTED_DIM, ProjectedIndex, projects } from '../../core/index/projected-index.js';
import { RandomProjection } from '../../core/index/projection.js';
import { type ErrorCode, hasCode } from '../../core/util/errors.js';
import { clusteredVectors, gaussian, prng } from './vectors.js';

const DIM = 1_024;
const COUNT = 3_000;
const QUERIES = 150;
const K = 5;

/** Asserts that `fn` throws a SynestheteError with `code`. */
function expectCode(fn: () => unknown, code: ErrorCode, what?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(hasCode(thrown, code), what ?? String(thrown)).toBe(true);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('RandomProjection (subsampled randomized Hadamard transform)', () => {
  const normal = gaussian(prng(3));
  const vectors = Array.from({ length: 200 }, () =>
    Float32Array.from({ length: 1_358 }, () => normal()),
  );
  const projection = new RandomProjection(1_358, PROJECTED_DIM, 11);

  it('is linear and the same for the same seed', () => {
    const [a, b] = [vectors[0]!, vectors[1]!];
    const sum = a.map((x, i) => x + 2 * b[i]!);
    const pa = projection.project(a);
    const pb = projection.project(b);
    const ps = projection.project(sum);
    for (let i = 0; i < PROJECTED_DIM; i++) expect(ps[i]).toBeCloseTo(pa[i]! + 2 * pb[i]!, 3);
    expect(new RandomProjection(1_358, PROJECTED_DIM, 11).project(a)).toEqual(pa);
    expect(new RandomProjection(1_358, PROJECTED_DIM, 12).project(a)).not.toEqual(pa);
  });

  it('keeps norms and cosine similarities close (Johnson–Lindenstrauss)', () => {
    let worstNorm = 0;
    let worstCos = 0;
    for (let i = 0; i < vectors.length - 1; i++) {
      const [a, b] = [vectors[i]!, vectors[i + 1]!];
      // Correlated pairs, so the cosines are not all near 0.
      const c = a.map((x, j) => x + b[j]!);
      const [pa, pc] = [projection.project(a), projection.project(c)];
      worstNorm = Math.max(worstNorm, Math.abs(Math.sqrt(dot(pa, pa) / dot(a, a)) - 1));
      const cos = dot(a, c) / Math.sqrt(dot(a, a) * dot(c, c));
      const pcos = dot(pa, pc) / Math.sqrt(dot(pa, pa) * dot(pc, pc));
      worstCos = Math.max(worstCos, Math.abs(pcos - cos));
    }
    expect(worstNorm).toBeLessThan(0.25);
    expect(worstCos).toBeLessThan(0.2);
  });

  it('refuses vectors of another length and impossible dimensions', () => {
    expectCode(() => projection.project(new Float32Array(10)), 'E_INTERNAL');
    expectCode(() => new RandomProjection(100, 200, 1), 'E_INTERNAL');
    expectCode(() => new RandomProjection(0, 1, 1), 'E_INTERNAL');
    expect(new RandomProjection(100, 128, 1).project(new Float32Array(100))).toHaveLength(128);
  });
});

describe('ProjectedIndex against ExactIndex', () => {
  const all = clusteredVectors(42, COUNT + QUERIES, DIM, 60, 0.03);
  const queries = all.slice(COUNT);
  // Sparse labels, like track ids; vectors copied so the test can overwrite them later.
  const items = all
    .slice(0, COUNT)
    .map((vector, i) => ({ label: 7 * i + 2, vector: vector.slice() }));
  let index: ProjectedIndex;
  let exact: ExactIndex;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synesthete-projected-'));
    index = ProjectedIndex.build(items, DIM);
    exact = ExactIndex.build(items, DIM);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('projects only vectors long enough to gain from it', () => {
    expect(projects(1_358)).toBe(true);
    expect(projects(DIM)).toBe(true);
    expect(projects(128)).toBe(false);
  });

  it(`has recall@${K} ≥ 0.98 and returns the exact cosine similarities`, () => {
    let found = 0;
    for (const q of queries) {
      const truth = exact.query(q, K);
      const got = index.query(q, K);
      expect(got).toHaveLength(K);
      const want = new Map(truth.map((h) => [h.label, h.similarity]));
      found += got.filter((h) => want.has(h.label)).length;
      for (const hit of got) {
        const item = items[(hit.label - 2) / 7]!;
        const cos = dot(q, item.vector) / Math.sqrt(dot(q, q) * dot(item.vector, item.vector));
        expect(hit.similarity).toBeCloseTo(cos, 5);
      }
      for (let i = 1; i < got.length; i++) {
        expect(got[i]!.similarity).toBeLessThanOrEqual(got[i - 1]!.similarity);
      }
    }
    expect(found / (QUERIES * K)).toBeGreaterThanOrEqual(0.98);
  });

  it('applies a filter on labels, and answers a k larger than the re-ranking depth', () => {
    // Keeps half of every cluster (item i is in cluster i mod 60).
    const half = (label: number) => ((label - 2) / 7) % 120 < 60;
    let found = 0;
    for (const q of queries.slice(0, 40)) {
      const got = index.query(q, K, half);
      expect(got).toHaveLength(K);
      expect(got.every((h) => half(h.label))).toBe(true);
      const truth = new Set(exact.query(q, K, half).map((h) => h.label));
      found += got.filter((h) => truth.has(h.label)).length;
    }
    expect(found / (40 * K)).toBeGreaterThanOrEqual(0.98);
    expect(index.query(queries[1]!, 200)).toHaveLength(200);
    expect(index.query(queries[1]!, 0)).toEqual([]);
  });

  it('saves, then reads the full vectors from its row file, and loads back the same answers', async () => {
    const before = queries.slice(0, 20).map((q) => index.query(q, K));
    const graph = join(dir, 'tracks.hnsw');
    const rows = join(dir, 'tracks.rows');
    index.save(graph, rows);
    // The items' vectors are no longer used: overwriting them changes nothing.
    const saved = items.map((item) => item.vector.slice());
    for (const item of items) item.vector.fill(0);
    try {
      expect(queries.slice(0, 20).map((q) => index.query(q, K))).toEqual(before);
      const { outputDim, seed } = index.projection;
      const loaded = ProjectedIndex.load(graph, rows, DIM, outputDim, seed);
      expect(loaded.size).toBe(COUNT);
      expect(queries.slice(0, 20).map((q) => loaded.query(q, K))).toEqual(before);
      // A newer file renamed over the path does not change what a loaded index reads.
      const other = ProjectedIndex.build(
        clusteredVectors(5, 100, DIM, 3, 0.1).map((vector, label) => ({ label, vector })),
        DIM,
      );
      other.save(join(dir, 'other.hnsw'), join(dir, 'other.rows'));
      await copyFile(join(dir, 'other.rows'), `${rows}.new`);
      await rename(`${rows}.new`, rows);
      expect(queries.slice(0, 20).map((q) => loaded.query(q, K))).toEqual(before);
    } finally {
      items.forEach((item, i) => {
        item.vector.set(saved[i]!);
      });
    }
  });

  it('refuses a missing, truncated, mismatched or foreign row file', async () => {
    const graph = join(dir, 'small.hnsw');
    const rows = join(dir, 'small.rows');
    const small = ProjectedIndex.build(items.slice(0, 50), DIM);
    small.save(graph, rows);
    const { outputDim, seed } = small.projection;
    const load = (dim = DIM) => ProjectedIndex.load(graph, rows, dim, outputDim, seed);
    expect(load().query(queries[0]!, K)).toHaveLength(K);
    const good = await readFile(rows);
    for (const damage of [
      () => writeFile(rows, good.subarray(0, good.length - 4)),
      () => writeFile(rows, Buffer.concat([good, Buffer.alloc(4)])),
      () => writeFile(rows, 'garbage '.repeat(100)),
      () => rm(rows),
      () => copyFile(join(dir, 'tracks.rows'), rows), // a row file of another index
    ]) {
      await damage();
      expectCode(load, 'E_EMPTY_CATALOG', String(damage));
      await writeFile(rows, good);
    }
    expectCode(() => load(DIM * 2), 'E_EMPTY_CATALOG');
  });
});
