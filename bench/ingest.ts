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
 * (keep the catalogue there instead of a temporary folder), `--limit N` (first N files). A `.txt`
 * input lists one path per line (relative to the list). Symbolic links are followed (the corpus
 * folders are links into the unpacked packages).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateCatalog } from '../core/evaluation/evaluate-catalog.js';
import { collectAudioFiles } from '../core/ingest.js';
import { INGEST_PROFILES, type IngestProfile } from '../core/ingest-profile.js';
import { openEngine } from '../core/recommend.js';

/** CPU seconds so far: this process (all threads) and its reaped children. */
export interface CpuTimes {
  readonly selfS: number;
  readonly childrenS: number;
}

/**
 * CPU time of this process and of the children it has waited for, seconds. Linux: fields 14–17 of
 * `/proc/self/stat` (utime, stime, cutime, cstime, in clock ticks of 1/100 s, `getconf CLK_TCK`);
 * elsewhere `process.cpuUsage()` with children unknown (0).
 */
export function cpuTimes(): CpuTimes {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = (i: number) => Number(fields[i - 3]) / 100;
    return { selfS: tick(14) + tick(15), childrenS: tick(16) + tick(17) };
  } catch {
    const { user, system } = process.cpuUsage();
    return { selfS: (user + system) / 1e6, childrenS: 0 };
  }
}

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

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: 'string', default: 'fast' },
      concurrency: { type: 'string', short: 'j' },
      labels: { type: 'string' },
      'label-column': { type: 'string', default: 'label' },
      catalog: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: node dist/bench/ingest.js [options] <file|folder|list.txt>…\n');
    process.exitCode = 2;
    return;
  }
  const profile = values.profile as IngestProfile;
  if (!INGEST_PROFILES.includes(profile)) throw new Error(`unknown profile ${values.profile}`);
  let files = await inputsToFiles(positionals);
  if (values.limit) files = files.slice(0, Number(values.limit));
  const tmp = values.catalog ? undefined : await mkdtemp(path.join(os.tmpdir(), 'bench-ingest-'));
  const catalogDir = values.catalog ?? path.join(tmp ?? '', 'catalog');
  try {
    const openStarted = performance.now();
    const engine = await openEngine({ catalog: catalogDir });
    const openS = (performance.now() - openStarted) / 1000;
    try {
      const loadBefore = os.loadavg()[0] ?? 0;
      const cpu0 = cpuTimes();
      const summary = await engine.ingest(files, {
        profile,
        followSymlinks: true,
        ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
      });
      const cpu1 = cpuTimes();
      const loadAfter = os.loadavg()[0] ?? 0;
      const analysed = summary.added + summary.updated;
      const n = Math.max(1, analysed);
      const selfS = cpu1.selfS - cpu0.selfS;
      const childrenS = cpu1.childrenS - cpu0.childrenS;
      const rows: Array<[string, string]> = [
        ['cores', String(os.availableParallelism())],
        ['profile', profile],
        ['concurrency', values.concurrency ?? 'default'],
        ['engine open (model + new catalogue)', `${fmt(openS, 2)} s`],
        [
          'tracks',
          `${summary.total} (${analysed} analysed, ${summary.failed.length} unreadable, ${fmt(summary.audioSeconds / 3600, 2)} h of audio)`,
        ],
        ['wall', `${fmt(summary.seconds, 1)} s`],
        ['**wall per track**', `**${fmt(summary.seconds / n)} s**`],
        [
          'CPU per track (process + ffmpeg children)',
          `${fmt((selfS + childrenS) / n)} s (${fmt(selfS / n)} + ${fmt(childrenS / n)})`,
        ],
        ['cores used (CPU / wall)', fmt((selfS + childrenS) / Math.max(1e-9, summary.seconds), 2)],
        ['load average (1 min) before → after', `${fmt(loadBefore, 2)} → ${fmt(loadAfter, 2)}`],
      ];
      if (values.labels) {
        const report = await evaluateCatalog(engine, {
          labelsCsv: values.labels,
          labelColumn: values['label-column'] ?? 'label',
          k: 5,
        });
        rows.push([
          'precision@1 / @5 / @10 (leave-one-out)',
          `${fmt(report.precisionAtK['1'] ?? Number.NaN)} / ${fmt(report.precisionAtK['5'] ?? Number.NaN)} / ${fmt(report.precisionAtK['10'] ?? Number.NaN)} (n ${report.n}, chance ${fmt(report.chance)})`,
        ]);
      }
      process.stdout.write(`\n| Ingest (${new Date().toISOString()}) | |\n| --- | --: |\n`);
      for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
      for (const f of summary.failed) process.stdout.write(`unreadable: ${f.file}: ${f.message}\n`);
    } finally {
      await engine.close();
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exitCode = 1;
});
