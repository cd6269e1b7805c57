/**
 * Where a cold `synesthete recommend` goes: bench/cold-start-child.ts in `runs` fresh processes,
 * each stage's wall and CPU milliseconds (medians over the runs, each stage from the end of the
 * previous one). Asserts nothing.
 *
 * @module
 */
import path from 'node:path';
import { packageRoot } from '../core/util/paths.js';
import { runJson } from './child-json.js';

/** Median wall and CPU milliseconds of one cold-start stage. */
export interface ColdStage {
  readonly stage: string;
  readonly wallMs: number;
  readonly cpuMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

type Laps = Array<{ stage: string; wallMs: number; cpuMs: number }>;

/**
 * Measures `runs` cold starts.
 *
 * @param clip - the voice note
 * @param catalog - PGlite folder or postgres:// URL of an ingested catalogue
 * @param runs - fresh processes (default 3)
 * @returns per stage, median wall / CPU ms of the stage itself; the last row is the total
 * @throws Error when a child process fails
 */
export async function measureColdStart(
  clip: string,
  catalog: string,
  runs = 3,
): Promise<ColdStage[]> {
  const script = path.join(packageRoot(), 'dist', 'bench', 'cold-start-child.js');
  const all: Laps[] = [];
  for (let i = 0; i < runs; i++) all.push((await runJson(script, [clip, catalog])) as Laps);
  const stages = all[0]?.map((l) => l.stage) ?? [];
  const rows: ColdStage[] = stages.map((stage, s) => ({
    stage,
    wallMs: median(
      all.map((laps) => (laps[s]?.wallMs ?? 0) - (s > 0 ? (laps[s - 1]?.wallMs ?? 0) : 0)),
    ),
    cpuMs: median(
      all.map((laps) => (laps[s]?.cpuMs ?? 0) - (s > 0 ? (laps[s - 1]?.cpuMs ?? 0) : 0)),
    ),
  }));
  rows.push({
    stage: 'total',
    wallMs: median(all.map((laps) => laps.at(-1)?.wallMs ?? 0)),
    cpuMs: median(all.map((laps) => laps.at(-1)?.cpuMs ?? 0)),
  });
  return rows;
}
