/**
 * Warm recommend latency: the same clip through `engine.recommend` again and again in one process
 * (model loaded, indexes in memory), timing wall clock and CPU time (`process.cpuUsage`, all
 * threads of the process: the fingerprint worker included). On a machine shared with other work
 * the wall time grows with the load while the CPU time barely does, so both are printed with the
 * load average. Asserts nothing.
 *
 * @module
 */
import os from 'node:os';
import type { Engine } from '../core/engine.js';

/** What {@link measureWarmRecommend} measured. */
export interface WarmRecommend {
  /** Wall milliseconds per recommend, in run order. */
  readonly wallMs: number[];
  /** CPU milliseconds (user + system, all threads) per recommend, in run order. */
  readonly cpuMs: number[];
  /** The match's title (or `#id`), or "no match". */
  readonly matched: string;
  /** Track ids of the results of the last run, best first. */
  readonly results: number[];
  /** 1-minute load average before and after the runs. */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/**
 * Runs `warmUps` untimed then `runs` timed recommends of `clip`.
 *
 * @param engine - an open engine with a non-empty catalogue
 * @param clip - path of the voice note (read from disk each time, as an adapter's download would be)
 * @param runs - timed runs (≥ 1)
 * @param warmUps - untimed runs first (default 10: the index load, and V8 compiling the hot loops
 *   with its optimising tier, which takes a few runs)
 */
export async function measureWarmRecommend(
  engine: Engine,
  clip: string,
  runs = 20,
  warmUps = 10,
): Promise<WarmRecommend> {
  let matched = 'no match';
  let results: number[] = [];
  for (let i = 0; i < warmUps; i++) await engine.recommend(clip);
  const loadBefore = os.loadavg()[0] ?? 0;
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const r = await engine.recommend(clip);
    wallMs.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
    matched = r.match ? (r.match.title ?? `#${r.match.trackId}`) : 'no match';
    results = r.recommendations.map((t) => t.trackId);
  }
  return { wallMs, cpuMs, matched, results, loadBefore, loadAfter: os.loadavg()[0] ?? 0 };
}
