/** Running the built CLI (`node dist/cli/main.js`) as a child process, the way a user does. */
import { spawn } from 'node:child_process';
import { CLI_MAIN, REPO_ROOT } from './paths.js';

/** What one CLI run produced. */
export interface CliResult {
  /** Exit code (null when killed by a signal). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock milliseconds. */
  readonly ms: number;
}

/**
 * Runs `node dist/cli/main.js ...args` with this process's Node and environment (plus `env`),
 * in the repository root unless `cwd` is given. Never rejects on a non-zero exit.
 *
 * @param args - command-line arguments after `main.js`
 * @param options - working directory, extra environment, time limit (default 120 s, then SIGKILL)
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Lines of a stream's text, without the progress-bar noise a non-TTY ingest prints. */
export function meaningfulLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('ingest |'));
}

/** True when the text looks like a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(?.+:\d+:\d+\)?$/m.test(text) || /\n\s+at /.test(text);
}
