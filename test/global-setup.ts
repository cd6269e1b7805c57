/**
 * vitest global setup: compiles the project once (`tsc -p tsconfig.build.json`) so that CLI tests
 * and the benchmark run the real built binary, `node dist/cli/main.js`. The build is skipped when
 * `dist/.build-stamp` (written only after a successful build) is newer than every source file,
 * tsconfig and package.json; set `SYNESTHETE_TEST_BUILD=always` to force it. Type errors are
 * printed, not fatal, as long as tsc emitted the CLI (other people's work in progress must not
 * stop every test run; `npm test` type-checks first).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { BUILD_STAMP, CLI_MAIN, modelDir, modelPresent, REPO_ROOT } from './helpers/paths.js';

const SOURCE_DIRS = ['core', 'cli', 'training', 'bench', 'bots'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time (ms) of the TypeScript sources the build compiles. */
function newestSource(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(REPO_ROOT, dir));
  for (const file of SOURCE_FILES) {
    const full = path.join(REPO_ROOT, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Compiles the project unless the last successful build is newer than every source. */
export default async function setup(): Promise<void> {
  if (!modelPresent()) {
    process.stderr.write(
      `[global-setup] no model at ${modelDir()}: engine, CLI and embedder tests will fail with E_MODEL\n`,
    );
  }
  const forced = process.env.SYNESTHETE_TEST_BUILD === 'always';
  if (!forced && existsSync(BUILD_STAMP) && statSync(BUILD_STAMP).mtimeMs > newestSource()) return;
  // The compiler's own entry point, run by this Node (what `npx tsc` would start, minus npm).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = performance.now();
  const startedAt = new Date();
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    // tsc still emits JavaScript on type errors (noEmitOnError is off): the CLI tests can run on
    // it, and `npm test` fails on the type errors in its typecheck step anyway. No stamp is
    // written, so the next run compiles again.
    if (!existsSync(CLI_MAIN))
      throw new Error(`tsc -p tsconfig.build.json failed:\n${stdout}${stderr}`);
    process.stderr.write(
      `[global-setup] tsc reported errors (dist/ emitted anyway):\n${stdout}${stderr}\n`,
    );
    return;
  }
  // Stamped with the start time: a source saved while tsc ran makes the next run compile again.
  writeFileSync(BUILD_STAMP, `${startedAt.toISOString()}\n`);
  utimesSync(BUILD_STAMP, startedAt, startedAt);
  process.stderr.write(
    `[global-setup] built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
