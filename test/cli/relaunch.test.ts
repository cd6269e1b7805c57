/**
 * `ingest` runs again as a child process with glibc's allocator and V8's young generation tuned
 * (cli/relaunch.ts): which variables and flags it adds, that the child has them, and that the
 * child does not outlive a parent that is killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MALLOC_TUNING,
  mallocTuningToAdd,
  runsRelaunched,
  V8_TUNING,
  v8TuningToAdd,
} from '../../cli/relaunch.js';
import { CLI_MAIN, REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

describe('mallocTuningToAdd', () => {
  it('adds both variables on glibc when neither is set', () => {
    expect(mallocTuningToAdd({}, true)).toEqual(MALLOC_TUNING);
  });

  it('keeps what the user set and adds only the rest', () => {
    expect(mallocTuningToAdd({ MALLOC_ARENA_MAX: '4' }, true)).toEqual({
      MALLOC_MMAP_THRESHOLD_: MALLOC_TUNING.MALLOC_MMAP_THRESHOLD_,
    });
    expect(mallocTuningToAdd({ ...MALLOC_TUNING }, true)).toBeNull();
  });

  it('adds nothing off glibc, in the relaunched child, or when turned off', () => {
    expect(mallocTuningToAdd({}, false)).toBeNull();
    expect(mallocTuningToAdd({ SYNESTHETE_RELAUNCHED: '1' }, true)).toBeNull();
    expect(mallocTuningToAdd({ SYNESTHETE_MALLOC_TUNING: '0' }, true)).toBeNull();
  });
});

describe('runsRelaunched', () => {
  it('relaunches ingest and queue work, not the other commands nor help', () => {
    expect(runsRelaunched(['ingest', '-j', '2', 'music'])).toBe(true);
    expect(runsRelaunched(['queue', 'work', '--exit-when-drained'])).toBe(true);
    expect(runsRelaunched(['queue', 'add', 'music'])).toBe(false);
    expect(runsRelaunched(['recommend', 'clip.ogg'])).toBe(false);
    expect(runsRelaunched(['ingest', '--help'])).toBe(false);
    expect(runsRelaunched(['--version'])).toBe(false);
    expect(runsRelaunched([])).toBe(false);
  });
});

describe('v8TuningToAdd', () => {
  it('caps the semi-spaces unless the command line or NODE_OPTIONS sets them', () => {
    expect(V8_TUNING).toEqual(['--max-semi-space-size=2']);
    expect(v8TuningToAdd([])).toEqual(V8_TUNING);
    expect(v8TuningToAdd(['--enable-source-maps'], '--max-old-space-size=4096')).toEqual(V8_TUNING);
    expect(v8TuningToAdd(['--max-semi-space-size=8'])).toEqual([]);
    expect(v8TuningToAdd([], '--trace-gc --max-semi-space-size=1')).toEqual([]);
  });
});

/** The environment of a running process, from /proc. */
function environOf(pid: number): Record<string, string> {
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    raw
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
}

/** The command line of a process, or '' when it is gone. */
function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Pids of the processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

/** Whether `pid` runs (a zombie or a vanished process does not). */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(process.platform !== 'linux')('synesthete ingest, relaunched', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    tmp = await tempDir('relaunch');
  });
  afterAll(async () => {
    await tmp.remove();
  });

  it('analyses in a child with the allocator variables and V8 flags, which ends when its parent is killed', async () => {
    const env = { ...process.env };
    for (const name of [...Object.keys(MALLOC_TUNING), 'SYNESTHETE_RELAUNCHED']) delete env[name];
    delete env.SYNESTHETE_MALLOC_TUNING;
    delete env.NODE_OPTIONS; // a semi-space size set there would keep the flag off
    const parent = spawn(
      process.execPath,
      [CLI_MAIN, 'ingest', path.join(REPO_ROOT, 'data/demo/tracks')],
      {
        cwd: REPO_ROOT,
        env: { ...env, DATABASE_URL: path.join(tmp.dir, 'catalog') },
        stdio: 'ignore',
      },
    );
    const pid = parent.pid ?? 0;
    let child: number | undefined;
    for (let i = 0; i < 100 && child === undefined; i++) {
      await sleep(100);
      child = childrenOf(pid).find((c) => cmdlineOf(c).includes('ingest'));
    }
    if (child === undefined) {
      parent.kill('SIGKILL');
      throw new Error('the ingest started no child (not on glibc?)');
    }
    // Between fork and exec the child still shows its parent's environment: wait for the exec.
    const relaunched = (c: number) => alive(c) && environOf(c).SYNESTHETE_RELAUNCHED === '1';
    for (let i = 0; i < 100 && !relaunched(child); i++) await sleep(100);
    expect(environOf(child)).toMatchObject({ ...MALLOC_TUNING, SYNESTHETE_RELAUNCHED: '1' });
    expect(cmdlineOf(child).split('\0')).toEqual(expect.arrayContaining([...V8_TUNING]));
    expect(environOf(pid).MALLOC_ARENA_MAX).toBeUndefined();
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await exited;
    // Its IPC channel closes with the parent, and it ends itself.
    for (let i = 0; i < 100 && alive(child); i++) await sleep(100);
    expect(alive(child)).toBe(false);
  });
});
