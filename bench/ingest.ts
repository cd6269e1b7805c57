/**
 * Ingest throughput: one `ingest` of a set of real tracks into a fresh PGlite catalogue, timed by
 * wall clock and by CPU time — of this process (all its threads) and of the child processes it
 * waited for (ffmpeg), read from `/proc/self/stat` — with the 1-minute load average before and
 * after, since the development machine is shared. Optionally the leave-one-out precision@5 of the
 * catalogue built (`synesthete evaluate`'s figure) against a labels CSV. Asserts nothing.
 *
 *   node dist/bench/ingest.js [options] <file|folder|list.txt>…
 *
 * Options: `--profile fast|full` (default fast), `-j N` (files at once; default: the engine's
 * default), `--labels CSV` (a `file` column and `--label-column`, default `label`), `--catalog DIR`
 * (keep the catalogue there instead of a temporary folder), `--limit N` (first N files),
 * `--no-learn` (no voice-note views), `--json` (one line of JSON: the measurement in a fresh process,
 * so that its peak RSS is the ingest's own). A `.txt`
 * input lists one path per line (relative to the list). Symbolic links are followed (the corpus
 * folders are links into the unpacked packages). `npm run bench` can import
 * {@link measureIngest} and {@link ingestRows} instead.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { relaunchWithMallocTuning } from '../cli/relaunch.js';
import { openEngine } from '../core/engine.js';
import { evaluateCatalog } from '../core/evaluation/evaluate-catalog.js';
import { collectAudioFiles } from '../core/ingest/ingest.js';
import { INGEST_PROFILES, type IngestProfile } from '../core/ingest/profile.js';
import { cpuTimes, stolenS } from './cpu-times.js';
import { type MuslyMeasurement, measureMusly, muslyRows } from './musly.js';

/** Files of the inputs: folders walked, `.txt` lists read, files kept. */
async function inputsToFiles(inputs: readonly string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const input of inputs) {
    if (input.endsWith('.txt')) {
      const base = path.dirname(input);
      for (const line of readFileSync(input, 'utf8').split('\n')) {
        const t = line.trim();
        if (t && !t.startsWith('#')) expanded.push(path.resolve(base, t));
      }
    } else expanded.push(input);
  }
  return (await collectAudioFiles(expanded, { followSymlinks: true })).files;
}

const fmt = (v: number, digits = 3) => v.toFixed(digits);

/** What {@link measureIngest} measured. */
export interface IngestMeasurement {
  readonly tracks: number;
  /** Tracks analysed (added or updated). */
  readonly analysed: number;
  readonly unreadable: ReadonlyArray<{ file: string; message: string }>;
  /** Hours of source audio analysed. */
  readonly audioHours: number;
  /** Seconds to open the engine (model load + new catalogue), not in the per-track figures. */
  readonly openS: number;
  /** Seconds of the ingest itself (the summary's). */
  readonly wallS: number;
  /** CPU seconds of this process (all threads) and of its ffmpeg children during the ingest. */
  readonly cpuSelfS: number;
  readonly cpuChildrenS: number;
  /** 1-minute load average before and after the ingest. */
  readonly loadBefore: number;
  /** Peak resident set size of this process so far (all threads), MiB. */
  readonly peakRssMib: number;
  /** CPU seconds the hypervisor took from the machine during the ingest (all cores), or null. */
  readonly stolenS: number | null;
  readonly loadAfter: number;
  /** Leave-one-out precision@1/5/10 against the labels, when asked for. */
  readonly precision?: { readonly at1: number; readonly at5: number; readonly at10: number };
  /** The files ingested (inputs expanded, `limit` applied). */
  readonly files: readonly string[];
}

/**
 * Ingests `inputs` into a fresh catalogue (a temporary folder unless `catalog` is given) and
 * measures it; with `labels`, also the catalogue's leave-one-out precision.
 *
 * @param inputs - files, folders, or `.txt` lists of paths (one per line, relative to the list)
 * @param options - profile (default fast), files at once (default: the engine's), labels CSV and
 *   its label column (default `label`), a catalogue folder to keep, the first `limit` files only
 */
export async function measureIngest(
  inputs: readonly string[],
  options: {
    profile?: IngestProfile;
    concurrency?: number;
    labels?: string;
    labelColumn?: string;
    catalog?: string;
    limit?: number;
    /** Make the library's voice-note views (default true, as `synesthete ingest`). */
    learn?: boolean;
  } = {},
): Promise<IngestMeasurement> {
  let files = await inputsToFiles(inputs);
  if (options.limit !== undefined) files = files.slice(0, options.limit);
  const tmp = options.catalog ? undefined : await mkdtemp(path.join(os.tmpdir(), 'bench-ingest-'));
  const catalogDir = options.catalog ?? path.join(tmp ?? '', 'catalog');
  try {
    const openStarted = performance.now();
    const engine = await openEngine({ catalog: catalogDir });
    const openS = (performance.now() - openStarted) / 1000;
    try {
      const loadBefore = os.loadavg()[0] ?? 0;
      const cpu0 = cpuTimes();
      const stolen0 = stolenS();
      const summary = await engine.ingest(files, {
        profile: options.profile ?? 'fast',
        followSymlinks: true,
        learn: options.learn ?? true,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      });
      const cpu1 = cpuTimes();
      const stolen1 = stolenS();
      const loadAfter = os.loadavg()[0] ?? 0;
      let precision: IngestMeasurement['precision'];
      if (options.labels) {
        const report = await evaluateCatalog(engine, {
          labelsCsv: options.labels,
          labelColumn: options.labelColumn ?? 'label',
          k: 5,
        });
        const p = report.precisionAtK;
        precision = {
          at1: p['1'] ?? Number.NaN,
          at5: p['5'] ?? Number.NaN,
          at10: p['10'] ?? Number.NaN,
        };
      }
      return {
        files,
        tracks: summary.total,
        analysed: summary.added + summary.updated,
        unreadable: summary.failed.map((f) => ({ file: f.file, message: f.message })),
        audioHours: summary.audioSeconds / 3600,
        openS,
        wallS: summary.seconds,
        cpuSelfS: cpu1.selfS - cpu0.selfS,
        cpuChildrenS: cpu1.childrenS - cpu0.childrenS,
        loadBefore,
        loadAfter,
        peakRssMib: process.resourceUsage().maxRSS / 1024,
        stolenS: stolen0 !== null && stolen1 !== null ? stolen1 - stolen0 : null,
        ...(precision ? { precision } : {}),
      };
    } finally {
      await engine.close();
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Table rows (label, value) of a measurement, per analysed track.
 *
 * @param m - what {@link measureIngest} returned
 */
export function ingestRows(m: IngestMeasurement): Array<[string, string]> {
  const n = Math.max(1, m.analysed);
  const cpu = m.cpuSelfS + m.cpuChildrenS;
  const rows: Array<[string, string]> = [
    ['cores', String(os.availableParallelism())],
    ['engine open (model + new catalogue)', `${fmt(m.openS, 2)} s`],
    [
      'tracks',
      `${m.tracks} (${m.analysed} analysed, ${m.unreadable.length} unreadable, ${fmt(m.audioHours, 2)} h of audio)`,
    ],
    ['wall', `${fmt(m.wallS, 1)} s`],
    ['**wall per track**', `**${fmt(m.wallS / n)} s**`],
    [
      'CPU per track (process + ffmpeg children)',
      `${fmt(cpu / n)} s (${fmt(m.cpuSelfS / n)} + ${fmt(m.cpuChildrenS / n)})`,
    ],
    ['cores used (CPU / wall)', fmt(cpu / Math.max(1e-9, m.wallS), 2)],
    ['peak RSS of the process (all threads)', `${fmt(m.peakRssMib, 0)} MiB`],
    ['load average (1 min) before → after', `${fmt(m.loadBefore, 2)} → ${fmt(m.loadAfter, 2)}`],
  ];
  if (m.stolenS !== null) {
    const share = m.stolenS / Math.max(1e-9, m.wallS * os.availableParallelism());
    rows.push([
      'CPU stolen by the hypervisor (all cores)',
      `${fmt(m.stolenS, 1)} s (${fmt(100 * share, 0)} % of the cores' time)`,
    ]);
  }
  if (m.precision) {
    rows.push([
      'precision@1 / @5 / @10 (leave-one-out)',
      `${fmt(m.precision.at1)} / ${fmt(m.precision.at5)} / ${fmt(m.precision.at10)}`,
    ]);
  }
  return rows;
}

async function main(): Promise<void> {
  // As `synesthete ingest` runs: again as a child with glibc's allocator tuned (cli/relaunch.ts).
  const relaunched = await relaunchWithMallocTuning();
  if (relaunched !== null) {
    process.exitCode = relaunched;
    return;
  }
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: 'string', default: 'fast' },
      concurrency: { type: 'string', short: 'j' },
      labels: { type: 'string' },
      'label-column': { type: 'string', default: 'label' },
      catalog: { type: 'string' },
      limit: { type: 'string' },
      musly: { type: 'string' },
      'no-learn': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const usage = [
    'usage: node dist/bench/ingest.js [options] <file|folder|list.txt>…',
    '',
    'Ingests the files into a fresh PGlite catalogue (or --catalog) and prints wall and CPU per track.',
    '  --profile full|fast   ingest profile (default fast)',
    '  -j, --concurrency N   analysis threads (default: one per core)',
    '  --labels FILE.csv     also print leave-one-out precision@1/5/10 against these labels',
    '  --label-column NAME   the labels column (default label)',
    '  --catalog DIR         keep the catalogue here instead of a temporary folder',
    '  --limit N             only the first N files',
    '  --musly BIN           then time this Musly binary on the same files (bench/musly.ts)',
    '  --no-learn            make no voice-note views (as `synesthete ingest --no-learn`)',
    '  --json                print the measurement as one line of JSON instead of a table',
    '',
  ].join('\n');
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  if (positionals.length === 0) {
    process.stderr.write(usage);
    process.exitCode = 2;
    return;
  }
  const profile = values.profile as IngestProfile;
  if (!INGEST_PROFILES.includes(profile)) throw new Error(`unknown profile ${values.profile}`);
  const m = await measureIngest(positionals, {
    profile,
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    ...(values.labels ? { labels: values.labels } : {}),
    ...(values['label-column'] ? { labelColumn: values['label-column'] } : {}),
    ...(values.catalog ? { catalog: values.catalog } : {}),
    ...(values.limit ? { limit: Number(values.limit) } : {}),
    ...(values['no-learn'] ? { learn: false } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(m)}\n`);
    return;
  }
  const title = `Ingest --profile ${profile}${values['no-learn'] ? ' --no-learn' : ''}, -j ${values.concurrency ?? 'default'} (${new Date().toISOString()})`;
  process.stdout.write(`\n| ${title} | |\n| --- | --: |\n`);
  const rows = ingestRows(m);
  if (values.musly) {
    const musly: MuslyMeasurement = await measureMusly(m.files, values.musly);
    rows.push(...muslyRows(musly, m.wallS / Math.max(1, m.analysed)));
  }
  for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
  for (const f of m.unreadable) process.stdout.write(`unreadable: ${f.file}: ${f.message}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    const debug = process.env.SYNESTHETE_DEBUG === '1' && error instanceof Error;
    const text = debug ? error.stack : error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench/ingest: ${text}\n`);
    process.exitCode = 1;
  });
}
