/**
 * `synesthete ingest --prune`: tracks whose files are gone leave the catalogue and its indexes;
 * only tracks from the folders named are considered, and a folder that no longer exists is emptied.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DEMO_SUBSET, demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

describe('synesthete ingest --prune', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let a: string;
  let b: string;
  let catalog: string;

  beforeAll(async () => {
    tmp = await tempDir('prune');
    a = path.join(tmp.dir, 'a');
    b = path.join(tmp.dir, 'b');
    catalog = path.join(tmp.dir, 'catalog');
    await mkdir(a);
    await mkdir(b);
    for (const name of DEMO_SUBSET.slice(0, 2)) await copyFile(demoTrack(name), path.join(a, name));
    await copyFile(demoTrack(DEMO_SUBSET[2]), path.join(b, DEMO_SUBSET[2]));
    const seed = await runCli(['ingest', a, b, '--catalog', catalog]);
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toMatch(/: 3 tracks indexed/);
  });
  afterAll(() => tmp.remove());

  it('removes a gone file of the folder named, keeps a gone file of another folder', async () => {
    const gone = path.join(a, DEMO_SUBSET[0]);
    await rm(gone);
    await rm(b, { recursive: true });
    const r = await runCli(['ingest', a, '--prune', '--catalog', catalog]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removed ${gone}: file gone`);
    expect(r.stdout).toMatch(/1 unchanged, 0 reused, 0 unreadable, 1 removed \(files gone\)$/m);
    expect(r.stdout).toMatch(/: 2 tracks indexed/);
  });

  it('empties a folder that no longer exists when it is named', async () => {
    const r = await runCli(['ingest', b, '--prune', '--catalog', catalog, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 0, removed: 1, indexed: 1 });
  });
});
