/**
 * `npm run bench:scale`: only the catalogue-scale figures of `npm run bench` (bench/scale.ts) —
 * an HNSW index of `SYNESTHETE_BENCH_TRACKS` (default 100,000) synthetic tracks shaped like the
 * real track vectors of `SYNESTHETE_BENCH_CATALOG` (default data/bench-catalog; without either,
 * the bundled demo tracks' 36 vectors, and it says so: bench/bench-catalog.ts): build time and
 * memory, index file size, load time, recall@5 against exact search, query p50/p95, and the RSS
 * of a serving process with 100,000 tracks; with the core count and the load average before and
 * after, since a build on a shared machine gets only what the others leave. Asserts nothing.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openBenchCatalog, runBench } from './bench-catalog.js';
import { measureScale, scaleRows } from './scale.js';

async function main(): Promise<void> {
  const tracks = Number(process.env.SYNESTHETE_BENCH_TRACKS ?? 100_000);
  const bench = await openBenchCatalog('bench:scale');
  const { engine, label: catalog } = bench;
  const seeds = await engine.catalog
    .embeddings(engine.model.metadata.version)
    .then((rows) => rows.map((t) => t.embedding))
    .finally(() => bench.close());
  if (bench.fallback) {
    process.stderr.write(
      'bench:scale: 36 seeds make 36 dense clusters, the hardest case for HNSW: expect a lower recall than a real catalogue gives\n',
    );
  }
  if (seeds.length < 2) throw new Error(`need ≥ 2 tracks in ${catalog} as seeds`);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-scale-'));
  try {
    const loadBefore = os.loadavg()[0] ?? 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const figures = await measureScale(seeds, tmp, tracks);
    const wallS = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const rows: Array<[string, string]> = [
      ['cores', String(os.availableParallelism())],
      ['seeds', `${seeds.length} real track vectors of ${catalog}`],
      ...scaleRows(figures),
      [
        'this bench',
        `${wallS.toFixed(0)} s wall, ${((used.user + used.system) / 1e6).toFixed(0)} s CPU (this process)`,
      ],
      [
        'load average (1 min) before / after',
        `${loadBefore.toFixed(2)} / ${(os.loadavg()[0] ?? 0).toFixed(2)}`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    const title = `Catalogue scale (SYNESTHETE_BENCH_TRACKS=${tracks})`;
    process.stdout.write(`${title}\n${'-'.repeat(title.length)}\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await runBench('bench:scale', main);
