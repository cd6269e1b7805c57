/**
 * Where a cold `synesthete recommend` goes: bench/cold-start-child.ts in `runs` fresh processes,
 * each stage's wall and CPU milliseconds (medians over the runs, each stage from the end of the
 * previous one). Asserts nothing.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../core/paths.js';

/** Median wall and CPU milliseconds of one cold-start stage. */
export interface ColdStage {
  readonly stage: string;
  readonly wallMs: number;
  readonly cpuMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the child once and returns its laps (cumulative from process start). */
function runChild(
  clip: string,
  catalog: string,
): Promise<Array<{ stage: string; wallMs: number; cpuMs: number }>> {
  const script = path.join(packageRoot(), 'dist', 'bench', 'cold-start-child.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, clip, catalog], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`cold-start child failed (${code}): ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '[]'));
    });
  });
}

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
  const all: Array<Array<{ stage: string; wallMs: number; cpuMs: number }>> = [];
  for (let i = 0; i < runs; i++) all.push(await runChild(clip, catalog));
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
