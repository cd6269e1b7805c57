/**
 * Runs a child process to completion with bounded output and hard cancellation. Used for every
 * ffmpeg invocation, so that a timeout or an abort always ends in SIGKILL plus a reaped child
 * (no orphan, no zombie) before the returned promise settles.
 *
 * On POSIX the child leads its own process group (`detached`), and a kill goes to the whole group:
 * a wrapper script standing in for ffmpeg (`FFMPEG_PATH=/usr/local/bin/ffmpeg-wrapper`) that
 * started ffmpeg as *its* child leaves no grandchild running either. Once the group leader has
 * exited, the rest of its group is killed too, so nothing it started outlives the call.
 */
import { spawn } from 'node:child_process';
import { debugFailure } from '../util/debug-log.js';

/** What a finished child process left behind. */
export interface ProcessResult {
  /** Captured stdout (at most `maxStdoutBytes`). */
  readonly stdout: Buffer;
  /** True when stdout went over `maxStdoutBytes` and the child was killed for it. */
  readonly stdoutTruncated: boolean;
  /** The last `maxStderrBytes` of stderr, decoded as UTF-8. */
  readonly stderr: string;
  /** Exit code, or null when the child was ended by a signal. */
  readonly code: number | null;
  /** The signal that ended the child, or null. */
  readonly signal: NodeJS.Signals | null;
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** Aborting kills the child with SIGKILL; the promise then rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Stdout cap in bytes (default 512 MiB); past it the child is killed and the output kept. */
  readonly maxStdoutBytes?: number | undefined;
  /** Stderr kept, in bytes, from the end (default 64 KiB). */
  readonly maxStderrBytes?: number | undefined;
  /** Called after each stderr chunk with the stderr so far (its tail, see `maxStderrBytes`); must not throw. */
  readonly onStderr?: ((stderr: string) => void) | undefined;
}

/**
 * Spawns `command args` (no shell, stdin ignored) and resolves once the child has exited and its
 * pipes have closed.
 *
 * @param command - executable path or name
 * @param args - arguments, passed verbatim
 * @param options - abort signal and output caps, see {@link RunProcessOptions}
 * @returns stdout bytes, the tail of stderr, and the exit status; a non-zero exit resolves too
 * @throws the spawn error (e.g. ENOENT) when the process could not start; `signal.reason` when
 *   aborted (the child has been killed with SIGKILL and reaped by then)
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  const { signal } = options;
  const maxStdout = options.maxStdoutBytes ?? 512 * 1024 * 1024;
  const maxStderr = options.maxStderrBytes ?? 64 * 1024;
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      detached: GROUP_KILL,
    });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stdoutTruncated = false;
    let stderr = '';
    let spawnError: Error | undefined;

    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) killGroup(child.pid, child);
    };
    const onAbort = (): void => kill();
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutTruncated) return;
      const room = maxStdout - stdoutBytes;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        stdoutBytes = maxStdout;
        stdoutTruncated = true;
        kill();
        return;
      }
      chunks.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr += text;
      if (stderr.length > 2 * maxStderr) stderr = stderr.slice(-maxStderr);
      options.onStderr?.(stderr);
    });
    child.on('error', (error) => {
      spawnError = error;
      // A child that never started has nothing to reap and emits no 'close'.
      if (child.pid === undefined) {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      }
    });
    child.on('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      // Whatever the child started and left behind in its group goes with it.
      killGroup(child.pid, undefined);
      if (signal?.aborted) return reject(signal.reason);
      if (spawnError !== undefined && code === null && exitSignal === null)
        return reject(spawnError);
      resolve({
        stdout: Buffer.concat(chunks, stdoutBytes),
        stdoutTruncated,
        stderr: stderr.length > maxStderr ? stderr.slice(-maxStderr) : stderr,
        code,
        signal: exitSignal,
      });
    });
  });
}

/** Process groups are a POSIX notion; on Windows the child alone is killed. */
const GROUP_KILL = process.platform !== 'win32';

/**
 * Sends SIGKILL to the process group `pid` leads (POSIX), else to `child` itself. Never throws:
 * a group that is already gone (ESRCH) is what we want.
 */
function killGroup(
  pid: number | undefined,
  child: { kill(signal: NodeJS.Signals): boolean } | undefined,
): void {
  if (GROUP_KILL && pid !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
      return;
    } catch (error) {
      // ESRCH: no such group (already exited); fall through to the child itself.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH')
        debugFailure(`killing group ${pid}`, error);
    }
  }
  try {
    child?.kill('SIGKILL');
  } catch (error) {
    debugFailure('killing the child process', error);
  }
}
