/** Runs the built CLI like test/helpers/cli.ts does, and samples its resident memory meanwhile. */
import { spawn } from 'node:child_process';
import type { CliResult } from '../helpers/cli.js';
import { CLI_MAIN, REPO_ROOT } from '../helpers/paths.js';
import { rssBytes } from './processes.js';

/** A CLI run and the largest resident set size seen while it ran. */
export interface MeasuredCliResult extends CliResult {
  /** Peak VmRSS of the node process in bytes (sampled every 50 ms). */
  readonly peakRssBytes: number;
  /** True when the run was killed at `timeoutMs`. */
  readonly killed: boolean;
}

/**
 * Runs `node dist/cli/main.js ...args`; never rejects on a non-zero exit.
 *
 * @param args - arguments after main.js
 * @param timeoutMs - SIGKILL after this long (a bound, reported as `killed`)
 */
export function runCliMeasured(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<MeasuredCliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const sample = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, rssBytes(child.pid) ?? 0);
    }, 50);
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearInterval(sample);
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(sample);
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        ms: performance.now() - started,
        peakRssBytes: peak,
        killed,
      });
    });
  });
}
