/**
 * `npm run bench`: how fast Synesthete is on this machine. Prints figures, asserts nothing.
 *
 * 1. Ingest of the demo tracks (default data/demo/tracks, or the folder given as the first
 *    argument) into a fresh temporary PGlite catalogue: seconds per track and per audio minute;
 *    then the same folder with `--profile fast` (core/ingest/profile.ts) into another.
 * 2. Recommend latency for a 15 s voice note (24 kbit/s mono Ogg Opus, cut from a demo track with
 *    ffmpeg): warm (same process, 20 runs after 10 warm-ups) and cold (a fresh
 *    `node dist/cli/main.js recommend` process each time, 3 runs); p50 and p95.
 * 3. CNN embedding time per window at batch 1 and batch 32.
 * 3b. Landmark fingerprint (bench/fingerprint.ts): CPU time for 3 minutes of music, query time.
 * 4. Training throughput in windows/s (bench/training.ts), with and without the gradient of the
 *    first convolution's input (training computes none).
 * 5. Telegram reply latency (bench/telegram-reply.ts): the same voice note sent as a Telegram
 *    voice update to the real adapter against a local fake Bot API, until the results message;
 *    median and p90 of 10 runs, and where the time goes.
 * 6. Discord /listen capture-to-reply time (bench/discord-listen.ts): 15 s of Opus packets of the
 *    same track through the listening session, from the last packet to the reply being ready.
 *
 * 7. Where a warm recommend's time goes, stage by stage (bench/recommend-stages.ts), and where a
 *    cold one's goes (bench/cold-start.ts: imports, model and catalogue, indexes, first query).
 * 8. Catalogue scale (bench/scale.ts): an HNSW index of `SYNESTHETE_BENCH_TRACKS` synthetic tracks
 *    (default 100,000; 1,000,000 for the figure in docs/scaling.md, which takes long on 2 cores) shaped like the
 *    catalogue's real vectors: build time and memory, recall@5 against exact search, query p50/p95,
 *    load time; and the RSS of a serving process with 100,000 tracks. `SYNESTHETE_BENCH_SCALE=0`
 *    skips it.
 *
 * `SYNESTHETE_BENCH_INGEST` (files, folders or `.txt` lists of paths, separated by the path
 * delimiter `:`) adds the ingest throughput of those real tracks with each profile (bench/ingest.ts:
 * wall and CPU per track, cores used, peak RSS; with `SYNESTHETE_BENCH_INGEST_LABELS`, a labels CSV, the
 * catalogue's precision@5 too; with `SYNESTHETE_BENCH_MUSLY`, the path of a built `musly` binary,
 * Musly's time on the same files and the throughput ratio, bench/musly.ts).
 *
 * `SYNESTHETE_BENCH_CATALOG` (a PGlite folder or postgres:// URL of an already ingested catalogue,
 * e.g. ≥ 600 real tracks) runs the recommend figures against it instead of the freshly ingested
 * demo tracks; the voice note is then cut from that catalogue's first track. Every table says which
 * catalogue it used.
 *
 * On a fresh clone it needs nothing but the bundled data/demo; a missing folder or an empty
 * `SYNESTHETE_BENCH_CATALOG` ends the run with one line saying what to run first.
 *
 * Percentiles are nearest-rank (p-th percentile = the ⌈p·n⌉-th smallest sample).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { runProcess } from '../core/audio/process.js';
import { openEngine } from '../core/engine.js';
import { tf } from '../core/model/backend.js';
import type { Windows } from '../core/model/windows.js';
import { packageRoot } from '../core/util/paths.js';
import { exitMissingData, openBenchCatalog, runBench } from './bench-catalog.js';
import { runJson } from './child-json.js';
import { measureColdStart } from './cold-start.js';
import { discordListenRows, measureDiscordListen } from './discord-listen.js';
import { measureFingerprint } from './fingerprint.js';
import { type IngestMeasurement, ingestRows } from './ingest.js';
import { measureMusly, muslyRows } from './musly.js';
import { percentile } from './percentile.js';
import { decodeShare, measureStages } from './recommend-stages.js';
import { measureScale, scaleRows } from './scale.js';
import { measureTelegramReply, telegramReplyRows } from './telegram-reply.js';
import { measureTraining } from './training.js';
import { measureWarmRecommend } from './warm-recommend.js';

const WARM_RUNS = 20;
const WARM_UPS = 10;
const COLD_RUNS = 3;
const VOICE_NOTE_SECONDS = 15;
const VOICE_NOTE_KBPS = 24;
/** Demo track the voice note is cut from (when present), and where in it. */
const VOICE_NOTE_SOURCE = 'metal_rock__Metal_madness.ogg';
const VOICE_NOTE_START_S = 8;

/** Milliseconds taken by `fn`. */
async function timeMs(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Runs a command to completion; resolves with its exit code and stderr. */
function spawnAndWait(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Prints an aligned two-column table under a heading. */
function table(title: string, rows: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n${lines.join('\n')}\n`);
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

async function main(): Promise<void> {
  const root = packageRoot();
  const tracksDir = path.resolve(process.argv[2] ?? path.join(root, 'data', 'demo', 'tracks'));
  if (!existsSync(tracksDir)) {
    exitMissingData(
      'bench',
      `no folder ${tracksDir}`,
      process.argv[2] ? 'npm run bench -- <a folder of audio files>' : 'git checkout -- data/demo',
    );
  }
  const cli = path.join(root, 'dist', 'cli', 'main.js');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-'));
  const catalogDir = path.join(tmp, 'catalog');
  try {
    const ffmpeg = await resolveFfmpeg();
    const cpus = os.cpus();

    // 1. Ingest into a fresh catalogue.
    const openStarted = performance.now();
    const engine = await openEngine({ catalog: catalogDir });
    const openMs = performance.now() - openStarted;
    let engineOpen = true;
    try {
      const backend = engine.model.backend;
      table('Machine', [
        [
          'CPU',
          `${cpus[0]?.model.trim() ?? 'unknown'} (${os.availableParallelism()} cores available)`,
        ],
        ['memory', `${fmt(os.totalmem() / 2 ** 30)} GiB`],
        ['cores', String(os.availableParallelism())],
        ['load average (1 min) at start', fmt(os.loadavg()[0] ?? 0, 2)],
        ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
        ['Node', process.versions.node],
        ['tfjs backend', backend],
        ['ffmpeg', `${ffmpeg.version ?? 'unknown version'} (${ffmpeg.path})`],
        [
          'model',
          `${engine.model.metadata.name} ${engine.model.metadata.version} (${engine.model.dir})`,
        ],
      ]);
      process.stdout.write(`\ningesting ${tracksDir} into ${catalogDir} …\n`);
      const summary = await engine.ingest([tracksDir]);
      const analysed = summary.added + summary.updated;
      const indexMs = await timeMs(() => engine.indexes());
      // The same folder with `--profile fast` (one 30 s excerpt per track), into its own catalogue.
      const fastEngine = await openEngine({ catalog: path.join(tmp, 'catalog-fast') });
      const fast = await fastEngine
        .ingest([tracksDir], { profile: 'fast' })
        .finally(() => fastEngine.close());
      const fastAnalysed = fast.added + fast.updated;
      table('Ingest (fresh PGlite catalogue, analysis + upsert; index build separate)', [
        ['files', `${summary.total} (${analysed} analysed, ${summary.failed.length} unreadable)`],
        ['audio', `${fmt(summary.audioSeconds / 60, 2)} min`],
        ['concurrency', String(os.availableParallelism())],
        ['engine open', `${fmt(openMs, 0)} ms (model load + new PGlite catalogue)`],
        ['wall time', `${fmt(summary.seconds)} s`],
        ['per track', `${fmt(summary.seconds / Math.max(1, analysed), 2)} s`],
        [
          'per audio minute',
          `${fmt(summary.seconds / Math.max(1e-9, summary.audioSeconds / 60), 2)} s`,
        ],
        ['index build', `${fmt(indexMs, 0)} ms`],
        [
          'per track, --profile fast (30 s excerpt)',
          `${fmt(fast.seconds / Math.max(1, fastAnalysed), 2)} s (${fastAnalysed} tracks, ${fmt(fast.seconds)} s)`,
        ],
      ]);

      // 1b. Ingest throughput on a set of real tracks (e.g. the 100 of docs/scaling.md): Musly
      // first where SYNESTHETE_BENCH_MUSLY names a built `musly` binary, then each profile, on the
      // same files; each row beside Musly's time of the same round.
      const ingestSet = process.env.SYNESTHETE_BENCH_INGEST;
      if (ingestSet) {
        const labels = process.env.SYNESTHETE_BENCH_INGEST_LABELS;
        const muslyBinary = process.env.SYNESTHETE_BENCH_MUSLY;
        const inputs = ingestSet.split(path.delimiter);
        let musly: Awaited<ReturnType<typeof measureMusly>> | undefined;
        for (const profile of ['full', 'fast'] as const) {
          process.stdout.write(`\ningesting ${ingestSet} with --profile ${profile} …\n`);
          // A fresh process per profile: its peak RSS is that ingest's alone.
          const measured = (await runJson(path.join(import.meta.dirname, 'ingest.js'), [
            ...['--profile', profile, '--json', ...(labels ? ['--labels', labels] : [])],
            ...inputs,
          ])) as IngestMeasurement;
          musly ??= muslyBinary ? await measureMusly(measured.files, muslyBinary) : undefined;
          const oursPerTrack = measured.wallS / Math.max(1, measured.analysed);
          table(`Ingest throughput, --profile ${profile} (SYNESTHETE_BENCH_INGEST=${ingestSet})`, [
            ...[...ingestRows(measured), ...(musly ? muslyRows(musly, oursPerTrack) : [])].map(
              ([k, v]): [string, string] => [k.replaceAll('**', ''), v.replaceAll('**', '')],
            ),
            [
              'target',
              profile === 'fast'
                ? '≥ 2 × Musly’s throughput; set SYNESTHETE_BENCH_MUSLY to time it here'
                : '≤ 0.2 s a track wall, peak RSS ≤ 500 MB',
            ],
          ]);
        }
      }

      // 2. The voice note, cut from a track of the catalogue the recommend figures run against.
      const benchCatalog = process.env.SYNESTHETE_BENCH_CATALOG;
      const named = benchCatalog ? await openBenchCatalog('bench') : undefined;
      const rec = named?.engine ?? engine;
      const recCatalog = benchCatalog ?? catalogDir;
      const recTracks = benchCatalog
        ? (await rec.indexes()).tracks.size
        : summary.total - summary.failed.length;
      const names = (await readdir(tracksDir))
        .filter((n) => /\.(ogg|mp3|flac|wav|m4a|opus)$/i.test(n))
        .sort();
      const sourceName = names.includes(VOICE_NOTE_SOURCE) ? VOICE_NOTE_SOURCE : names[0];
      const [firstTrack] = benchCatalog ? await rec.catalog.listTracks({ limit: 1 }) : [];
      const sourcePath =
        firstTrack?.sourcePath ?? (sourceName ? path.join(tracksDir, sourceName) : '');
      if (!sourcePath) throw new Error(`no audio files in ${tracksDir}`);
      const voiceNote = path.join(tmp, 'voice-note.ogg');
      const cut = await runProcess(ffmpeg.path, [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-ss', String(VOICE_NOTE_START_S)],
        ...['-t', String(VOICE_NOTE_SECONDS), '-i', sourcePath, '-ac', '1'],
        ...['-c:a', 'libopus', '-b:a', `${VOICE_NOTE_KBPS}k`, '-application', 'voip', voiceNote],
      ]);
      if (cut.code !== 0) throw new Error(`ffmpeg could not cut the voice note: ${cut.stderr}`);

      // Warm: same process, engine and index loaded; wall and CPU time (all threads).
      const warmRun = await measureWarmRecommend(rec, voiceNote, WARM_RUNS, WARM_UPS);
      const { matched, wallMs: warm, cpuMs: warmCpu } = warmRun;
      const stages = await measureStages(rec, voiceNote);
      const decode = decodeShare(stages, percentile(warm, 50));

      // 5. The same voice note through the Telegram adapter (printed after the CNN table).
      const telegram = await measureTelegramReply(engine, voiceNote);
      // 6. Discord /listen: the same track as live Opus packets (printed after Telegram).
      const discordListen = await measureDiscordListen(
        engine,
        sourceName ? path.join(tracksDir, sourceName) : sourcePath,
      );

      // 3. CNN alone: random normalised-scale windows, batch 1 and batch 32.
      const frames = engine.model.metadata.window.frames;
      const nMels = engine.model.metadata.features.nMels;
      const windowsOf = (count: number): Windows => ({
        data: Float32Array.from({ length: count * frames * nMels }, () => Math.random() * 4 - 8),
        count,
        frames,
        nMels,
      });
      const perWindow = async (batch: number, reps: number): Promise<number> => {
        engine.model.embedWindows(windowsOf(batch)); // warm-up
        const samples: number[] = [];
        for (let i = 0; i < reps; i++) {
          const w = windowsOf(batch);
          samples.push((await timeMs(() => engine.model.embedWindows(w))) / batch);
        }
        return percentile(samples, 50);
      };
      const batch1 = await perWindow(1, 20);
      const batch32 = await perWindow(32, 5);
      const tensorsLeft = tf.memory().numTensors;
      const seeds = (await rec.catalog.embeddings(rec.model.metadata.version)).map(
        (t) => t.embedding,
      );
      await named?.close();
      await engine.close();
      engineOpen = false;

      // Cold: a fresh CLI process per run (Node start, tfjs init, model load, catalogue open, index load).
      const cold: number[] = [];
      for (let i = 0; i < COLD_RUNS; i++) {
        const args = [cli, 'recommend', voiceNote, '--catalog', recCatalog, '--json'];
        let result: { code: number | null; stderr: string } = { code: null, stderr: '' };
        cold.push(
          await timeMs(async () => {
            result = await spawnAndWait(process.execPath, args);
          }),
        );
        if (result.code !== 0) throw new Error(`cold recommend failed: ${result.stderr}`);
      }
      const coldStages = await measureColdStart(voiceNote, recCatalog, COLD_RUNS);

      table(
        `Recommend: ${VOICE_NOTE_SECONDS} s voice note (${VOICE_NOTE_KBPS} kbit/s mono Opus from ${path.basename(sourcePath)}, ${VOICE_NOTE_START_S} s in)`,
        [
          [
            'catalogue',
            `${recTracks} tracks (${benchCatalog ? `SYNESTHETE_BENCH_CATALOG ${benchCatalog}` : `freshly ingested ${tracksDir}`})`,
          ],
          ['identified as', matched],
          [
            'decoder, and the decode share of a warm query',
            `${decode.decoder}: ${fmt(decode.wallMs, 1)} ms, ${fmt(100 * decode.share, 0)} % of the warm p50`,
          ],
          [
            `warm p50 / p95 (${WARM_RUNS} runs)`,
            `${fmt(percentile(warm, 50), 0)} / ${fmt(percentile(warm, 95), 0)} ms`,
          ],
          [
            'warm CPU p50 / p95 (all threads)',
            `${fmt(percentile(warmCpu, 50), 0)} / ${fmt(percentile(warmCpu, 95), 0)} ms (load average ${fmt(warmRun.loadBefore, 2)} → ${fmt(warmRun.loadAfter, 2)})`,
          ],
          [
            `cold p50 / p95 (${COLD_RUNS} processes)`,
            `${fmt(percentile(cold, 50), 0)} / ${fmt(percentile(cold, 95), 0)} ms`,
          ],
        ],
      );
      table(
        `Where a cold recommend goes (bench/cold-start.ts: ${COLD_RUNS} fresh processes, medians; wall / CPU ms of all threads)`,
        coldStages.map((st) => [st.stage, `${fmt(st.wallMs, 0)} / ${fmt(st.cpuMs, 0)} ms`]),
      );
      table(
        'Where a warm recommend goes (each stage alone, medians of 10; wall / CPU ms)',
        stages.map((st) => [st.stage, `${fmt(st.wallMs, 1)} / ${fmt(st.cpuMs, 1)} ms`]),
      );
      const scaleTracks = Number(process.env.SYNESTHETE_BENCH_TRACKS ?? 100_000);
      if (process.env.SYNESTHETE_BENCH_SCALE !== '0' && seeds.length >= 2) {
        process.stdout.write(`\nbuilding a ${scaleTracks.toLocaleString('en-US')}-track index …\n`);
        const scale = await measureScale(seeds, tmp, scaleTracks);
        table(
          `Catalogue scale (SYNESTHETE_BENCH_TRACKS=${scaleTracks}; seeds: ${seeds.length} real track vectors)`,
          scaleRows(scale),
        );
      }
      table(`CNN embedding (${frames} frames × ${nMels} mel bands per window, ${backend})`, [
        ['batch 1', `${fmt(batch1, 2)} ms per window`],
        ['batch 32', `${fmt(batch32, 2)} ms per window`],
        ['tensors alive (model weights included)', String(tensorsLeft)],
      ]);
      table(
        `Telegram reply: ${VOICE_NOTE_SECONDS} s voice note update → results message (grammY against a local fake Bot API)`,
        telegramReplyRows(telegram),
      );
      table(
        'Discord /listen: 15 s of Opus packets → reply ready (last packet received to rendered answer)',
        discordListenRows(discordListen),
      );
    } finally {
      if (engineOpen) await engine.close();
    }
    const fp = await measureFingerprint(tracksDir);
    table('Landmark fingerprint (core/fingerprint/, bench/fingerprint.ts)', [
      [
        `fingerprint ${fp.trackSeconds / 60} min of music`,
        `${fmt(fp.trackCpuMs, 0)} ms CPU (${fmt(fp.trackWallMs, 0)} ms wall), ${fmt(fp.hashesPerSecond, 0)} hashes/s`,
      ],
      [
        'index of the demo tracks',
        `${fp.index.tracks} tracks, ${fp.index.postings} hashes, built in ${fmt(fp.index.buildMs, 0)} ms`,
      ],
      [
        'query: 10 s voice note (fingerprint + match) p50 / p95',
        `${fmt(fp.queryMs.p50, 1)} / ${fmt(fp.queryMs.p95, 1)} ms (${fmt(fp.queryCpuMs, 1)} ms CPU; match alone ${fmt(fp.matchMs, 2)} ms)`,
      ],
      [
        'identified / offset error',
        `${fp.identified ? 'yes' : 'no'} / ${fmt(fp.offsetErrorS, 3)} s`,
      ],
    ]);
    const training = await measureTraining();
    table(
      'Training step (forward + NT-Xent + backward + Adam), 128 frames × 64 mel bands per window',
      training.map((r) => [
        `${r.pairs} pairs, ${r.variant === 'before' ? 'with the input gradient' : 'without the input gradient (as trained)'}`,
        `${fmt(r.secondsPerStep, 3)} s per step, ${fmt(r.windowsPerSecond, 0)} windows/s`,
      ]),
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await runBench('bench', main);
