/**
 * Catalogue scale: the track index at sizes no catalogue we can ingest here reaches, with
 * synthetic vectors shaped like real ones (bench/synthetic-vectors.ts; seeds are the bench
 * catalogue's real track vectors, so the dimension is the real one). Prints figures, asserts
 * nothing.
 *
 * - build: time and memory (process RSS growth, index file size) of the track index the product
 *   builds for N tracks (HNSW; projected with exact re-ranking for vectors of 512 dimensions up)
 * - recall@5 of the HNSW answer against exact search (brute-force cosine), and query p50 / p95
 * - load: reading the saved index back (what a serving process does at start-up)
 * - serving RSS: a fresh process that loads the model and a 100,000-track index and answers
 *   queries (bench/serving-rss.ts)
 *
 * N is `SYNESTHETE_BENCH_TRACKS` (default 100,000, about a minute here; 1,000,000 takes a long
 * while on 2 cores). HNSW parameters: `SYNESTHETE_BENCH_HNSW_M` (default 16) and
 * `SYNESTHETE_BENCH_HNSW_EFC` (default 100 — enough for recall@5 ≥ 0.98 at ef 100 on these vectors,
 * at half the build time of the product's 200).
 *
 * @module
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { HnswIndex } from '../core/index/hnsw-index.js';
import { ProjectedIndex } from '../core/index/projected-index.js';
import { buildTrackIndex } from '../core/index/track-ann.js';
import { packageRoot } from '../core/util/paths.js';
import { runJson } from './child-json.js';
import { percentile } from './percentile.js';
import { syntheticVectors } from './synthetic-vectors.js';

/** What {@link measureScale} returns. */
export interface ScaleFigures {
  readonly tracks: number;
  readonly dim: number;
  readonly m: number;
  readonly efConstruction: number;
  /** Query-time ef the product chose from measured recall (core/index/ef-calibration.ts). */
  readonly efSearch: number;
  /** Candidates re-ranked on the full vectors (a projected index only), chosen with `efSearch`. */
  readonly rerankDepth?: number;
  /** Dimension of the graph's (projected) vectors. */
  readonly graphDim: number;
  /** Recall@5 the choice measured on the catalogue's own vectors (null: not measured). */
  readonly calibrationRecall: number | null;
  /** Recall@5 the projected index reached when the full-vector graph measured better and was kept. */
  readonly projectedRecall?: number;
  readonly buildS: number;
  readonly buildRssMiB: number;
  readonly indexFileMiB: number;
  readonly loadMs: number;
  readonly recallAt5: number;
  readonly queries: number;
  readonly queryP50Ms: number;
  readonly queryP95Ms: number;
  /** Recall@5 and query time at larger search lists (the first row is `efSearch`, the default). */
  readonly efSweep: ReadonlyArray<{
    readonly ef: number;
    readonly recallAt5: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
  }>;
  /** Exact (brute-force) query time, ms, for comparison. */
  readonly exactMs: number;
  readonly servingTracks: number;
  /** RSS of a fresh serving process (model + index loaded, queries answered), MiB. */
  readonly servingRssMiB: number;
  readonly servingStartMs: number;
}

const K = 5;

/**
 * Query-time search lists measured besides the product's choice (the ef calibrated from measured
 * recall, measured first): on dense clusters of near-identical vectors HNSW needs a longer list for the same recall.
 */
const EF_SWEEP = [50, 100, 200, 400] as const;

/** Exact top-k labels (indices) by cosine (vectors are unit length). */
export function exactTopK(vectors: readonly Float32Array[], q: Float32Array, k: number): number[] {
  const best: Array<{ label: number; s: number }> = [];
  for (let i = 0; i < vectors.length; i++) {
    let s = 0;
    const v = vectors[i]!;
    for (let d = 0; d < v.length; d++) s += v[d]! * q[d]!;
    if (best.length < k || s > best[best.length - 1]!.s) {
      best.push({ label: i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.label);
}

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

/**
 * Builds the index the product builds for `dim`-dimensional track vectors, with the query settings
 * it chooses from recall measured on the catalogue's own vectors (core/index/track-ann.ts), labels
 * 0…n−1, and its build figures (the time includes that measuring, and a second build when the
 * projected index is dropped for the full-vector graph).
 */
function buildIndex(vectors: readonly Float32Array[], dim: number, m: number, efc: number) {
  const before = rssMiB();
  const started = performance.now();
  const items = vectors.map((vector, label) => ({ label, vector }));
  const built = buildTrackIndex(items, dim, { m, efConstruction: efc });
  return { ...built, buildS: (performance.now() - started) / 1000, rssGrowth: rssMiB() - before };
}

/** What a saved index is: its projection (dimension and seed), if projected. */
type Layout = { readonly projection?: { readonly dim: number; readonly seed: number } };

/**
 * Saves `index` as `base.hnsw` (+ `base.rows` when projected); returns the files' total MiB and
 * the layout to load them with.
 */
function saveIndex(
  index: HnswIndex | ProjectedIndex,
  base: string,
): { mib: number; layout: Layout } {
  if (index instanceof ProjectedIndex) {
    index.save(`${base}.hnsw`, `${base}.rows`);
    return {
      mib: (statSync(`${base}.hnsw`).size + statSync(`${base}.rows`).size) / 2 ** 20,
      layout: { projection: { dim: index.projection.outputDim, seed: index.projection.seed } },
    };
  }
  index.save(`${base}.hnsw`);
  return { mib: statSync(`${base}.hnsw`).size / 2 ** 20, layout: {} };
}

/** Reads back what {@link saveIndex} wrote. */
function loadIndex(layout: Layout, base: string, dim: number): HnswIndex | ProjectedIndex {
  const p = layout.projection;
  return p
    ? ProjectedIndex.load(`${base}.hnsw`, `${base}.rows`, dim, p.dim, p.seed)
    : HnswIndex.load(`${base}.hnsw`, dim);
}

/**
 * Measures the track index at `tracks` synthetic tracks, and a serving process at
 * `servingTracks`.
 *
 * @param seeds - real L2-normalised track vectors (≥ 2), from the bench catalogue
 * @param tmp - scratch folder for index files
 * @param tracks - index size for build / recall / query figures
 * @param servingTracks - index size the serving process loads (default 100,000)
 */
export async function measureScale(
  seeds: readonly Float32Array[],
  tmp: string,
  tracks: number,
  servingTracks = 100_000,
): Promise<ScaleFigures> {
  const dim = seeds[0]?.length ?? 0;
  const m = Number(process.env.SYNESTHETE_BENCH_HNSW_M ?? 16);
  const efConstruction = Number(process.env.SYNESTHETE_BENCH_HNSW_EFC ?? 100);
  const vectors = syntheticVectors(seeds, tracks, 1);
  const base = path.join(tmp, `scale-${tracks}`);
  // Built, saved and let go of before it is loaded back: at a million tracks two graphs of the
  // full vectors do not fit beside the vectors.
  const built = (() => {
    const { index, ...figures } = buildIndex(vectors, dim, m, efConstruction);
    return { ...figures, saved: saveIndex(index, base) };
  })();
  const { calibration } = built;
  const indexFileMiB = built.saved.mib;
  const loadStarted = performance.now();
  const loaded = loadIndex(built.saved.layout, base, dim);
  loaded.searchEf = calibration.ef;
  if (loaded instanceof ProjectedIndex && calibration.depth !== undefined) {
    loaded.rerankDepth = calibration.depth;
  }
  const loadMs = performance.now() - loadStarted;

  // Queries: fresh vectors around the same seeds (a clip of a track like the catalogue's).
  const queries = syntheticVectors(seeds, tracks >= 500_000 ? 100 : 300, 2);
  const exactTimes: number[] = [];
  const truths = queries.map((q) => {
    const t1 = performance.now();
    const truth = new Set(exactTopK(vectors, q, K));
    exactTimes.push(performance.now() - t1);
    return truth;
  });
  const efSearch = Math.max(calibration.ef, K * 4);
  vectors.length = 0; // the truths are known; the index reads its own files
  const efSweep = [efSearch, ...EF_SWEEP.filter((ef) => ef !== efSearch)].map((ef) => {
    let hits = 0;
    const times: number[] = [];
    queries.forEach((q, i) => {
      const t0 = performance.now();
      const got = loaded.query(q, K, undefined, ef === efSearch ? undefined : ef);
      times.push(performance.now() - t0);
      hits += got.filter((h) => truths[i]!.has(h.label)).length;
    });
    return {
      ef,
      recallAt5: hits / (queries.length * K),
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
    };
  });
  const atDefault = efSweep[0]!;

  // Serving: a fresh process with the model and a servingTracks-track index.
  let servingBase = base;
  let servingLayout = built.saved.layout;
  if (servingTracks !== tracks) {
    servingBase = path.join(tmp, `scale-${servingTracks}`);
    const serving = buildIndex(syntheticVectors(seeds, servingTracks, 3), dim, m, efConstruction);
    servingLayout = saveIndex(serving.index, servingBase).layout;
  }
  const script = path.join(packageRoot(), 'dist', 'bench', 'serving-rss.js');
  const projected = servingLayout.projection
    ? [String(servingLayout.projection.dim), String(servingLayout.projection.seed)]
    : [];
  const serving = (await runJson(script, [servingBase, String(dim), ...projected])) as Record<
    string,
    number
  >;
  return {
    tracks,
    dim,
    m,
    efConstruction,
    efSearch,
    ...(calibration.depth === undefined ? {} : { rerankDepth: calibration.depth }),
    graphDim: built.saved.layout.projection?.dim ?? dim,
    calibrationRecall: calibration.recall,
    ...(built.projectedRecall === undefined ? {} : { projectedRecall: built.projectedRecall }),
    buildS: built.buildS,
    buildRssMiB: built.rssGrowth,
    indexFileMiB,
    loadMs,
    recallAt5: atDefault.recallAt5,
    queries: queries.length,
    queryP50Ms: atDefault.p50Ms,
    queryP95Ms: atDefault.p95Ms,
    efSweep,
    exactMs: percentile(exactTimes, 50),
    servingTracks,
    servingRssMiB: serving.rssMiB ?? Number.NaN,
    servingStartMs: serving.startMs ?? Number.NaN,
  };
}

/** Table rows for {@link ScaleFigures}. */
export function scaleRows(f: ScaleFigures): Array<[string, string]> {
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    ['tracks (synthetic, shaped like the real ones)', `${n(f.tracks)} × ${f.dim} dimensions`],
    [
      'HNSW',
      `M ${f.m}, efConstruction ${f.efConstruction}, ef ${f.efSearch} at query time${f.rerankDepth === undefined ? '' : `; ${f.graphDim}-d projection, best ${f.rerankDepth} re-ranked on the full vectors`}`,
    ],
    [
      'ef chosen from measured recall',
      f.calibrationRecall === null
        ? 'not measured (small catalogue)'
        : `recall@5 ${f.calibrationRecall.toFixed(3)} on the catalogue's own vectors${f.projectedRecall === undefined ? '' : ` (the projected index reached ${f.projectedRecall.toFixed(3)}: full vectors kept)`}`,
    ],
    [
      'build, with choosing ef from recall',
      `${f.buildS.toFixed(1)} s (one core), RSS +${f.buildRssMiB.toFixed(0)} MiB`,
    ],
    [
      f.rerankDepth === undefined ? 'index file' : 'index files (graph + full vectors on disk)',
      `${f.indexFileMiB.toFixed(0)} MiB`,
    ],
    ['load (start-up)', `${f.loadMs.toFixed(0)} ms`],
    [`recall@5 vs exact (${f.queries} queries)`, f.recallAt5.toFixed(3)],
    ['query p50 / p95', `${f.queryP50Ms.toFixed(3)} / ${f.queryP95Ms.toFixed(3)} ms`],
    ...f.efSweep
      .slice(1)
      .map((r): [string, string] => [
        `  with ef ${r.ef}: recall@5, query p50 / p95`,
        `${r.recallAt5.toFixed(3)}, ${r.p50Ms.toFixed(3)} / ${r.p95Ms.toFixed(3)} ms`,
      ]),
    ['exact search, for comparison', `${f.exactMs.toFixed(1)} ms per query`],
    [
      `serving process, ${n(f.servingTracks)} tracks`,
      `RSS ${f.servingRssMiB.toFixed(0)} MiB (model + index loaded, queries answered), ready in ${f.servingStartMs.toFixed(0)} ms`,
    ],
  ];
}
