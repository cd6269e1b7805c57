/**
 * The embedded catalogue's one-owner lock: a second opener is refused with the owner's PID and the
 * ways out, a lock left by a dead process (or garbled) is taken over, and closing unlocks.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { LOCK_FILE, lockCatalogDir } from '../../core/catalog/pglite-lock.js';
import { SynestheteError } from '../../core/util/errors.js';
import { tempDir } from '../helpers/temp.js';

/** A PID that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('PGlite catalogue lock', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('lock');
  });
  afterAll(() => tmp.remove());

  it('refuses a second owner, naming the PID, --catalog and "stop it"; free again after release', async () => {
    const dir = join(tmp.dir, 'a');
    await mkdir(dir);
    const lock = await lockCatalogDir(dir);
    const refused = await lockCatalogDir(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(SynestheteError);
    const message = (refused as SynestheteError).message;
    expect((refused as SynestheteError).code).toBe('E_CATALOG');
    expect(message).toContain(`in use by PID ${process.pid}`);
    expect(message).toContain('--catalog <postgres-url>');
    expect(message).toContain('stop it');
    await lock.release();
    await lock.release(); // idempotent
    expect(await readdir(dir)).toEqual([]);
    const again = await lockCatalogDir(dir);
    await again.release();
  });

  it('takes over a lock whose process is dead, one left by this PID (a restarted container), or a garbled one', async () => {
    const dir = join(tmp.dir, 'b');
    await mkdir(dir);
    const host = hostname();
    for (const content of [
      JSON.stringify({ pid: deadPid(), host, command: 'synesthete ingest', since: 'x' }),
      JSON.stringify({ pid: process.pid, host, command: 'start', since: 'y' }),
      'garbage',
    ]) {
      await writeFile(join(dir, LOCK_FILE), content);
      const lock = await lockCatalogDir(dir);
      const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
      expect(owner.pid).toBe(process.pid);
      await lock.release();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a lock held on another host (its PID cannot be checked), naming the host', async () => {
    const dir = join(tmp.dir, 'c');
    await mkdir(dir);
    await writeFile(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: 1, host: 'elsewhere', command: 'start', since: 'z' }),
    );
    await expect(lockCatalogDir(dir)).rejects.toThrow(/in use by PID 1 on elsewhere \(start/);
  });

  it('lets one openCatalog own a directory at a time, and the next one in after close()', async () => {
    const dir = join(tmp.dir, 'catalog');
    const first = await openCatalog(dir);
    try {
      await expect(openCatalog(dir)).rejects.toThrow(
        new RegExp(`^catalogue ${dir} is in use by PID ${process.pid} `),
      );
      expect(await first.count()).toBe(0);
    } finally {
      await first.close();
    }
    const second = await openCatalog(dir);
    expect(await second.count()).toBe(0);
    await second.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });
});
