/**
 * `npm run bench:recommend`: only the warm recommend figures of `npm run bench`, against an
 * already ingested catalogue — `SYNESTHETE_BENCH_CATALOG` (PGlite folder or postgres:// URL;
 * default data/bench-catalog; without either, the bundled demo tracks in a temporary catalogue,
 * and it says so: bench/bench-catalog.ts). A 15 s, 24 kbit/s mono Opus voice note is cut with
 * ffmpeg from the middle of the catalogue's first track (inside the excerpt a `--profile fast`
 * ingest analysed), or from 8 s into the file given as the first argument; it prints wall and CPU
 * p50/p95 of 40 warm runs, the load average, the decoder and the decode's share of a query, and
 * the stage-by-stage breakdown (bench/recommend-stages.ts). About a minute. Asserts nothing.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { runProcess } from '../core/audio/process.js';
import { openBenchCatalog, runBench } from './bench-catalog.js';
import { percentile } from './percentile.js';
import { decodeShare, measureStages } from './recommend-stages.js';
import { measureWarmRecommend } from './warm-recommend.js';

const RUNS = 40;

async function main(): Promise<void> {
  const bench = await openBenchCatalog('bench:recommend');
  const { engine, label: catalog } = bench;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-rec-'));
  try {
    const tracks = (await engine.indexes()).tracks.size;
    const [first] = await engine.catalog.listTracks({ limit: 1 });
    const source = process.argv[2] ?? first?.sourcePath;
    if (!source) throw new Error(`the catalogue ${catalog} is empty`);
    const durationS = process.argv[2] ? null : (first?.durationS ?? null);
    const startS = durationS !== null && durationS >= 30 ? Math.floor(durationS / 2 - 7.5) : 8;
    const clip = path.join(tmp, 'voice-note.ogg');
    const ffmpeg = await resolveFfmpeg();
    const cut = await runProcess(ffmpeg.path, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-ss', String(startS), '-t', '15'],
      ...['-i', source],
      ...['-ac', '1', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', clip],
    ]);
    if (cut.code !== 0) throw new Error(`ffmpeg could not cut the voice note: ${cut.stderr}`);
    const warm = await measureWarmRecommend(engine, clip, RUNS);
    const stages = await measureStages(engine, clip);
    const decode = decodeShare(stages, percentile(warm.wallMs, 50));
    const rows: Array<[string, string]> = [
      ['cores', String(os.availableParallelism())],
      ['catalogue', `${tracks} tracks (${catalog})`],
      ['voice note', `15 s, 24 kbit/s mono Opus, from ${path.basename(source)} at ${startS} s`],
      ['identified as', warm.matched],
      [
        'decoder, and the decode share of a warm query',
        `${decode.decoder}: ${decode.wallMs.toFixed(1)} ms, ${(100 * decode.share).toFixed(0)} % of the wall p50`,
      ],
      [
        `wall p50 / p95 (${RUNS} runs)`,
        `${percentile(warm.wallMs, 50).toFixed(0)} / ${percentile(warm.wallMs, 95).toFixed(0)} ms`,
      ],
      [
        'CPU p50 / p95 (all threads)',
        `${percentile(warm.cpuMs, 50).toFixed(0)} / ${percentile(warm.cpuMs, 95).toFixed(0)} ms`,
      ],
      [
        'load average (1 min) before / after',
        `${warm.loadBefore.toFixed(2)} / ${warm.loadAfter.toFixed(2)}`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length), ...stages.map((s) => s.stage.length));
    process.stdout.write('Warm recommend\n--------------\n');
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write('\nEach stage alone (medians of 10; wall / CPU ms)\n');
    for (const s of stages) {
      process.stdout.write(
        `  ${s.stage.padEnd(width)}  ${s.wallMs.toFixed(1)} / ${s.cpuMs.toFixed(1)} ms\n`,
      );
    }
  } finally {
    await bench.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await runBench('bench:recommend', main);
