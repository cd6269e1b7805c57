/**
 * `npm run bench:projection`: how the projected track index (core/index/projected-index.ts) trades
 * recall for the number of candidates it re-ranks, at each projected dimension, on
 * `SYNESTHETE_BENCH_TRACKS` (default 100,000) synthetic tracks shaped like the real vectors of
 * `SYNESTHETE_BENCH_CATALOG` (bench/synthetic-vectors.ts; default data/bench-catalog). For each
 * projected dimension (`SYNESTHETE_BENCH_PROJECTIONS`, default `256,512`) one index is built and
 * saved (so the re-ranking reads its row file, as a serving process does), then 100 fresh queries
 * are answered with 64, 128, 256 and 512 candidates re-ranked (ef = the depth, at least 100) and
 * compared with exact search. Prints a table; asserts nothing.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProjectedIndex } from '../core/index/projected-index.js';
import { openBenchCatalog, runBench } from './bench-catalog.js';
import { percentile } from './percentile.js';
import { exactTopK } from './scale.js';
import { syntheticVectors } from './synthetic-vectors.js';

const K = 5;
const DEPTHS = [64, 128, 256, 512] as const;

async function main(): Promise<void> {
  const tracks = Number(process.env.SYNESTHETE_BENCH_TRACKS ?? 100_000);
  const projections = (process.env.SYNESTHETE_BENCH_PROJECTIONS ?? '256,512')
    .split(',')
    .map(Number);
  const bench = await openBenchCatalog('bench:projection');
  const seeds = await bench.engine.catalog
    .embeddings(bench.engine.model.metadata.version)
    .then((rows) => rows.map((t) => t.embedding))
    .finally(() => bench.close());
  if (seeds.length < 2) throw new Error(`need ≥ 2 tracks in ${bench.label} as seeds`);
  const dim = seeds[0]!.length;
  const vectors = syntheticVectors(seeds, tracks, 1);
  const queries = syntheticVectors(seeds, 100, 2);
  const truths = queries.map((q) => new Set(exactTopK(vectors, q, K)));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-projection-'));
  const title = `Projected track index: ${tracks.toLocaleString('en-US')} synthetic tracks × ${dim} dimensions, seeds ${seeds.length} vectors of ${bench.label}`;
  process.stdout.write(`${title}\n${'-'.repeat(title.length)}\n`);
  try {
    for (const projectedDim of projections) {
      const started = performance.now();
      const index = ProjectedIndex.build(
        vectors.map((vector, label) => ({ label, vector })),
        dim,
        { projectedDim, efConstruction: 100 },
      );
      const buildS = (performance.now() - started) / 1000;
      index.save(path.join(tmp, `${projectedDim}.hnsw`), path.join(tmp, `${projectedDim}.rows`));
      process.stdout.write(`  ${projectedDim}-d projection (built in ${buildS.toFixed(0)} s):\n`);
      for (const depth of DEPTHS) {
        index.rerankDepth = depth;
        let hits = 0;
        const times: number[] = [];
        queries.forEach((q, i) => {
          const t0 = performance.now();
          const got = index.query(q, K, undefined, Math.max(100, depth));
          times.push(performance.now() - t0);
          hits += got.filter((h) => truths[i]!.has(h.label)).length;
        });
        process.stdout.write(
          `    ${String(depth).padStart(3)} re-ranked: recall@5 ${(hits / (queries.length * K)).toFixed(3)}, p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms\n`,
        );
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await runBench('bench:projection', main);
