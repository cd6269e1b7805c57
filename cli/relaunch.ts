/**
 * glibc's allocator settings for the long, memory-heavy commands (`ingest`, `queue work`): the
 * command starts itself again as a child process with `MALLOC_ARENA_MAX=2` and
 * `MALLOC_MMAP_THRESHOLD_=131072` set, since glibc reads them only when a process starts.
 *
 * Why: the analysis threads allocate and free tens of megabytes of PCM and spectra per track.
 * With glibc's defaults each thread gets its own malloc arena, and after the first large block is
 * freed the mmap threshold rises to its size, so the next ones come from the arenas and their
 * pages stay with the process. A fixed 128 KiB threshold hands every large block back to the
 * system when it is freed, and two arenas bound the per-thread heaps (mallopt(3), "M_MMAP_THRESHOLD"
 * and "M_ARENA_MAX"; docs/scaling.md has the peak memory with and without).
 *
 * The child also runs with V8's young generation capped ({@link V8_TUNING}): the main thread of an
 * ingest imports the whole engine (its compilation garbage grows the semi-spaces to V8's maximum
 * of 16 MiB each, which stay committed) and then holds little but PGlite's memory and the results
 * passing through it, so small semi-spaces give resident memory back for a few more scavenges
 * (docs/scaling.md, Memory, has the figures).
 *
 * cli/main.ts relaunches before it imports the command line's modules ({@link runsRelaunched}),
 * so the waiting parent holds no more than a bare Node process. The child inherits the terminal; the parent waits for it, passes SIGTERM and SIGHUP on, leaves
 * Ctrl-C to the terminal (which signals both), and exits as the child did. A child whose parent
 * dies (its IPC channel closes) ends itself with SIGTERM. Nothing is relaunched on other systems
 * than Linux with glibc, when both variables are already set, in the relaunched child itself, or
 * with `SYNESTHETE_MALLOC_TUNING=0`.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

/** The allocator settings a relaunched command gets (see the module's notes). */
export const MALLOC_TUNING: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

/**
 * V8 flags the relaunched child gets: the young generation's semi-spaces capped at 2 MiB
 * (`--max-semi-space-size`, in MiB; V8's default maximum is 16 MiB on 64-bit systems).
 */
export const V8_TUNING: readonly string[] = ['--max-semi-space-size=2'];

/**
 * The {@link V8_TUNING} flags a relaunch adds: those whose name neither the command line of this
 * process nor `NODE_OPTIONS` sets already (the user's own setting wins).
 *
 * @param execArgv - this process's Node options (`process.execArgv`)
 * @param nodeOptions - the `NODE_OPTIONS` variable, if any
 * @returns the flags to put before the script in the child's command line
 */
export function v8TuningToAdd(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split('=')[0]);
  return V8_TUNING.filter((flag) => !given.includes(flag.split('=')[0]));
}

/**
 * Whether a command line runs relaunched: `ingest` and `queue work`, unless it only asks for help
 * or the version (which the child would print just the same, one Node start later).
 *
 * @param args - the arguments after the script (`process.argv.slice(2)`)
 * @returns true for `ingest …` and `queue work …` without `-h`, `--help`, `-V` or `--version`
 */
export function runsRelaunched(args: readonly string[]): boolean {
  if (args.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')) {
    return false;
  }
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'ingest' || (words[0] === 'queue' && words[1] === 'work');
}

/** Set in the relaunched child, so that it does not relaunch again. */
const RELAUNCHED = 'SYNESTHETE_RELAUNCHED';

/**
 * The variables a relaunch would add to `env`, or null when the command should run as it is.
 *
 * @param env - the process's environment
 * @param glibc - whether the C library is glibc (the variables mean nothing to others)
 * @returns the {@link MALLOC_TUNING} entries `env` does not set yet, or null: not glibc, already
 *   relaunched, `SYNESTHETE_MALLOC_TUNING=0`, or every variable already set by the user
 */
export function mallocTuningToAdd(
  env: NodeJS.ProcessEnv,
  glibc: boolean,
): Record<string, string> | null {
  if (!glibc || env[RELAUNCHED] === '1' || env.SYNESTHETE_MALLOC_TUNING === '0') return null;
  const missing = Object.entries(MALLOC_TUNING).filter(([name]) => env[name] === undefined);
  return missing.length > 0 ? Object.fromEntries(missing) : null;
}

/** Whether this Node runs on Linux with glibc (the process report names its version). */
function onGlibc(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as
    | { header?: { glibcVersionRuntime?: string } }
    | undefined;
  return typeof report?.header?.glibcVersionRuntime === 'string';
}

/**
 * In a relaunched child: ends this process (SIGTERM, so that a command's own handler still runs)
 * when the parent that waits for it is gone, and keeps the IPC channel from holding it open.
 */
function followParent(): void {
  const channel = process.channel;
  if (!channel) return;
  channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/**
 * Runs this command again in a child process with {@link MALLOC_TUNING} and {@link V8_TUNING},
 * when that applies here (see {@link mallocTuningToAdd}), and waits for it.
 *
 * @returns the child's exit code (128 + the signal's number when a signal ended it), or null
 *   when the command should go on in this process (nothing to add, or this is the child)
 * @throws nothing: a child that cannot be started makes it return null
 */
export async function relaunchWithMallocTuning(): Promise<number | null> {
  if (process.env[RELAUNCHED] === '1') {
    followParent();
    return null;
  }
  const add = mallocTuningToAdd(process.env, onGlibc());
  if (!add) return null;
  const v8Flags = v8TuningToAdd(process.execArgv, process.env.NODE_OPTIONS);
  const args = [...process.execArgv, ...v8Flags, ...process.argv.slice(1)];
  const child = spawn(process.execPath, args, {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...add, [RELAUNCHED]: '1' },
  });
  const pass = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onTerm = pass('SIGTERM');
  const onHup = pass('SIGHUP');
  // Ctrl-C reaches the child from the terminal; this process only waits for it.
  const onInt = () => undefined;
  return await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('spawn', () => {
      process.on('SIGTERM', onTerm);
      process.on('SIGHUP', onHup);
      process.on('SIGINT', onInt);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      process.off('SIGINT', onInt);
      resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
    });
  });
}
