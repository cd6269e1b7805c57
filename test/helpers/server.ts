/** Running `npm start` (the built `node dist/bots/start.js`) as a child process, as a user does. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

/** A started `npm start` process. */
export interface StartedServer {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far (its log). */
  log(): string;
  /** Resolves with the log once a line matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after 20 s; resolves with the exit code once it has exited. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code when it exits by itself. */
  exited: Promise<number | null>;
}

/**
 * Spawns `node dist/bots/start.js ...args` with this process's environment plus `env`.
 *
 * @param args - arguments after start.js, e.g. `['--catalog', dir]`
 * @param env - extra environment (undefined values remove a variable)
 */
export function startServer(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): StartedServer {
  const merged: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'dist', 'bots', 'start.js'), ...args],
    {
      cwd: REPO_ROOT,
      env: merged,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  const listeners = new Set<() => void>();
  const onText = (s: string) => {
    text += s;
    for (const l of listeners) l();
  };
  child.stderr?.setEncoding('utf8').on('data', onText);
  child.stdout?.setEncoding('utf8').on('data', onText);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    log: () => text,
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) {
            done();
            resolve(text);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} in ${timeoutMs} ms; log:\n${text}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exited.then((code) => {
          if (!pattern.test(text)) {
            done();
            reject(new Error(`exited (${code}) before ${pattern}; log:\n${text}`));
          }
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
