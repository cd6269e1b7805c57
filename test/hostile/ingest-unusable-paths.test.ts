/**
 * Ingest opens only regular files: a FIFO or a link to /dev/zero given as an argument or met in a
 * folder is reported and skipped (never opened, so nothing hangs), and a folder that cannot be read
 * is reported and skipped while the rest is ingested. Tests run as root, which reads any folder,
 * so the unreadable folder is simulated by a `readdir` that fails with EACCES for it; a real
 * `chmod 000` folder is tested too where the tests do not run as root.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectAudioFiles, hashFile } from '../../core/ingest/ingest.js';
import { runCli } from '../helpers/cli.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

/** Folders named `locked` fail to list with EACCES, as an unreadable folder does for a normal user. */
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (async (dir: string, options?: unknown) => {
    if (path.basename(String(dir)) === 'locked') {
      throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), {
        code: 'EACCES',
        path: String(dir),
      });
    }
    return (actual.readdir as (d: string, o?: unknown) => Promise<unknown>)(dir, options);
  }) as typeof actual.readdir;
  return { ...actual, readdir, default: { ...actual, readdir } };
});

describe('ingest skips what is not a regular file, and folders it cannot read', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let music: string;
  const p = (...parts: string[]) => path.join(music, ...parts);

  beforeAll(async () => {
    tmp = await tempDir('unusable-paths');
    music = path.join(tmp.dir, 'music');
    await fs.mkdir(path.join(music, 'locked'), { recursive: true });
    await fs.mkdir(path.join(music, 'open'), { recursive: true });
    await fs.writeFile(p('locked', 'hidden.ogg'), 'x');
    await fs.copyFile(demoTrack('metal_rock__Metal_madness.ogg'), p('open', 'track.ogg'));
    execFileSync('mkfifo', [p('pipe.ogg')]);
    execFileSync('mkfifo', [path.join(tmp.dir, 'given-fifo.ogg')]);
    await fs.symlink('/dev/zero', path.join(tmp.dir, 'zero.ogg'));
  });
  afterAll(() => tmp.remove());

  it('reports a FIFO and a link to /dev/zero given as arguments, and a FIFO in a folder', async () => {
    const { files, skipped } = await collectAudioFiles([
      path.join(tmp.dir, 'given-fifo.ogg'),
      path.join(tmp.dir, 'zero.ogg'),
      music,
    ]);
    expect(files).toEqual([p('open', 'track.ogg')]);
    expect(skipped).toEqual([
      { path: path.join(tmp.dir, 'given-fifo.ogg'), reason: 'a FIFO, not a file' },
      { path: path.join(tmp.dir, 'zero.ogg'), reason: 'a device, not a file' },
      { path: p('locked'), reason: 'folder not read: permission denied' },
      { path: p('pipe.ogg'), reason: 'a FIFO, not a file' },
    ]);
  });

  it('hashFile refuses a FIFO at once instead of waiting for a writer', async () => {
    const started = performance.now();
    const error = await hashFile(p('pipe.ogg')).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('E_NOT_FOUND');
    expect((error as Error).message).toBe('pipe.ogg is a FIFO, not an audio file');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('the CLI ingests the rest and names each skipped path with its reason', async () => {
    const catalog = path.join(tmp.dir, 'catalog');
    const run = await runCli(
      [
        'ingest',
        path.join(tmp.dir, 'given-fifo.ogg'),
        path.join(tmp.dir, 'zero.ogg'),
        path.join(music, 'open'),
        '--catalog',
        catalog,
        '--json',
      ],
      { timeoutMs: 180_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      added: number;
      skipped: Array<{ path: string; reason: string }>;
    };
    expect(summary.added).toBe(1);
    expect(summary.skipped.map((s) => s.reason)).toEqual([
      'a FIFO, not a file',
      'a device, not a file',
    ]);
    expect(run.stderr).toContain(`skipped ${path.join(tmp.dir, 'zero.ogg')}: a device, not a file`);
  });

  it.skipIf(process.getuid?.() === 0)(
    'a real unreadable folder (chmod 000) is skipped and the rest ingested (not as root: root reads any folder)',
    async () => {
      const real = path.join(tmp.dir, 'real');
      await fs.mkdir(path.join(real, 'closed'), { recursive: true });
      await fs.copyFile(demoTrack('metal_rock__Metal_madness.ogg'), path.join(real, 'a.ogg'));
      await fs.chmod(path.join(real, 'closed'), 0o000);
      try {
        const { files, skipped } = await collectAudioFiles([real]);
        expect(files).toEqual([path.join(real, 'a.ogg')]);
        expect(skipped).toEqual([
          { path: path.join(real, 'closed'), reason: 'folder not read: permission denied' },
        ]);
      } finally {
        await fs.chmod(path.join(real, 'closed'), 0o755);
      }
    },
  );
});
