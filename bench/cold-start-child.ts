/**
 * One cold start, stage by stage, in a fresh process (run by bench/cold-start.ts): the same path
 * as `synesthete recommend <clip> --catalog <catalog>` — resolution shortcut, engine import, model
 * and catalogue opened together, indexes loaded, one recommend — printing one JSON line of
 * `{ stage, wallMs, cpuMs }` laps, wall from process start (`performance.now()`, whose origin is
 * the process's start) and CPU of all threads (`process.cpuUsage()`). Asserts nothing.
 *
 * Usage: node dist/bench/cold-start-child.js <clip> <catalog>
 *
 * @module
 */
import module from 'node:module';
import { installResolveShortcut } from '../core/util/resolve-hook.js';

const [clip, catalog] = process.argv.slice(2);
if (!clip || !catalog) throw new Error('usage: cold-start-child.js <clip> <catalog>');
const laps: Array<{ stage: string; wallMs: number; cpuMs: number }> = [];
const lap = (stage: string) => {
  const cpu = process.cpuUsage();
  laps.push({ stage, wallMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 });
};
lap('Node start-up and the first modules');
// As the command line does (cli/program.ts).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
installResolveShortcut();
const { openEngine } = await import('../core/engine.js');
lap('engine modules imported (tfjs, PGlite, drizzle-orm, hnswlib)');
const prestart = !process.argv.includes('--no-prestart');
// As the CLI's `recommend` does: the clip is analysed while the catalogue opens.
const engine = await openEngine({ catalog, prestart, ...(prestart ? { firstClip: clip } : {}) });
lap('model loaded and catalogue opened (at once; the clip analysed meanwhile)');
await engine.indexes();
lap('indexes loaded');
await engine.recommend(clip, { k: 5 });
lap('first recommend (cold code)');
await engine.close();
lap('closed');
process.stdout.write(`${JSON.stringify(laps)}\n`);
