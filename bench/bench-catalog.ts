/**
 * The catalogue a bench runs against, and what a bench says when its data is missing, so that
 * every bench works on a fresh clone: `SYNESTHETE_BENCH_CATALOG` when set (a PGlite folder or a
 * postgres:// URL that must hold tracks), else `data/bench-catalog` when it exists, else the
 * bundled demo tracks ingested into a temporary catalogue — and the bench says so.
 *
 * @example
 * const bench = await openBenchCatalog('bench:recommend');
 * try {
 *   await measure(bench.engine);
 * } finally {
 *   await bench.close();
 * }
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Engine, openEngine } from '../core/engine.js';
import { packageRoot } from '../core/util/paths.js';

/** The default catalogue of real tracks (see docs/scaling.md for how it is built). */
export const DEFAULT_BENCH_CATALOG = path.join(packageRoot(), 'data', 'bench-catalog');

/** The bundled demo tracks: the fallback when no catalogue of real tracks is there. */
export const DEMO_TRACKS = path.join(packageRoot(), 'data', 'demo', 'tracks');

/** How to build `data/bench-catalog`, named when a bench needs it. */
export const BENCH_CATALOG_COMMAND = 'npm run build && bash scripts/build-bench-catalog.sh';

/** An open engine on the bench's catalogue. */
export interface BenchCatalog {
  readonly engine: Engine;
  /** Where the catalogue is, as the tables should name it. */
  readonly label: string;
  /** True when the demo tracks stand in for a missing catalogue of real tracks. */
  readonly fallback: boolean;
  /** Closes the engine and removes a temporary catalogue. */
  close(): Promise<void>;
}

/**
 * Runs a bench's main function; a failure ends the run with one line (`SYNESTHETE_DEBUG=1` adds
 * the stack) and status 1.
 *
 * @param bench - the bench's name, as the line starts
 * @param main - the bench
 */
export async function runBench(bench: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const debug = process.env.SYNESTHETE_DEBUG === '1' && error instanceof Error;
    const text = debug ? error.stack : error instanceof Error ? error.message : String(error);
    process.stderr.write(`${bench}: ${text}\n`);
    process.exit(1);
  }
}

/**
 * Prints one line naming what to run first, and exits with status 1. For data a bench cannot
 * make up; never a stack trace.
 *
 * @param bench - the bench's name, as the line starts
 * @param missing - what is missing
 * @param command - the command that provides it
 */
export function exitMissingData(bench: string, missing: string, command: string): never {
  process.stderr.write(`${bench}: ${missing}; run first: ${command}\n`);
  process.exit(1);
}

/** True for a folder that exists and holds at least one entry. */
function nonEmptyFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/**
 * Opens the engine on the bench's catalogue (see the module comment). A catalogue named by
 * `SYNESTHETE_BENCH_CATALOG` that is missing or empty ends the run with one line.
 *
 * @param bench - the bench's name, for its messages
 * @returns the open engine, the catalogue's label, and whether the demo tracks stand in
 */
export async function openBenchCatalog(bench: string): Promise<BenchCatalog> {
  const named = process.env.SYNESTHETE_BENCH_CATALOG;
  const isUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);
  if (named !== undefined && named !== '') {
    if (!isUrl(named) && !existsSync(named)) {
      exitMissingData(
        bench,
        `SYNESTHETE_BENCH_CATALOG=${named} does not exist`,
        `npx synesthete ingest --profile fast --catalog ${named} <music folder>`,
      );
    }
    const engine = await openEngine({ catalog: named });
    if ((await engine.indexes()).tracks.size === 0) {
      await engine.close();
      exitMissingData(
        bench,
        `the catalogue ${named} holds no tracks`,
        `npx synesthete ingest --profile fast --catalog ${named} <music folder>`,
      );
    }
    return { engine, label: named, fallback: false, close: () => engine.close() };
  }
  if (nonEmptyFolder(DEFAULT_BENCH_CATALOG)) {
    const engine = await openEngine({ catalog: DEFAULT_BENCH_CATALOG });
    return {
      engine,
      label: path.relative(process.cwd(), DEFAULT_BENCH_CATALOG) || DEFAULT_BENCH_CATALOG,
      fallback: false,
      close: () => engine.close(),
    };
  }
  if (!nonEmptyFolder(DEMO_TRACKS)) {
    exitMissingData(
      bench,
      `neither data/bench-catalog nor ${DEMO_TRACKS} is there`,
      'git checkout data/demo',
    );
  }
  process.stderr.write(
    `${bench}: no data/bench-catalog (build it with \`${BENCH_CATALOG_COMMAND}\`: the music of the training corpus and the evaluation packages, docs/scaling.md); ` +
      'using the bundled data/demo/tracks, ingested into a temporary catalogue: figures for 36 tracks\n',
  );
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-demo-'));
  try {
    const engine = await openEngine({ catalog: path.join(tmp, 'catalog') });
    await engine.ingest([DEMO_TRACKS]);
    return {
      engine,
      label: 'data/demo/tracks, in a temporary catalogue',
      fallback: true,
      close: async () => {
        await engine.close();
        await rm(tmp, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
