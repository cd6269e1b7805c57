/**
 * The empty catalogue's template: the first new catalogue runs initdb and saves itself as the
 * template, the next ones are copies of it (same cluster, no initdb) that hold no tracks of the
 * first, a template of other migrations is neither used nor kept, and a damaged one falls back to
 * initdb.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { templateDir, templateKey } from '../../core/catalog/pglite-template.js';
import { migrationsDir } from '../../core/util/paths.js';
import { tempDir } from '../helpers/temp.js';
import { newTrack, vector } from './fixtures.js';

/**
 * The cluster's system identifier (the first 8 bytes of `global/pg_control`, PostgreSQL's
 * `ControlFileData.system_identifier`): initdb draws a new one, a copy keeps its source's.
 */
async function systemIdentifier(dataDir: string): Promise<bigint> {
  const control = await readFile(join(dataDir, 'global', 'pg_control'));
  return control.readBigUInt64LE(0);
}

describe('PGlite catalogue template', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const saved = process.env.SYNESTHETE_CACHE_DIR;
  beforeAll(async () => {
    tmp = await tempDir('template');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.SYNESTHETE_CACHE_DIR;
    else process.env.SYNESTHETE_CACHE_DIR = saved;
  });
  afterAll(() => tmp.remove());

  it('saves the first new catalogue as the template; the next one is a copy, empty, and works', async () => {
    process.env.SYNESTHETE_CACHE_DIR = join(tmp.dir, 'cache-a');
    const template = templateDir(migrationsDir());
    expect(existsSync(template)).toBe(false);

    const first = await openCatalog(join(tmp.dir, 'a1'));
    await first.upsertTrack(newTrack({ sourcePath: '/music/first.flac', embedding: vector(1, 8) }));
    await first.close();
    expect(existsSync(join(template, 'PG_VERSION'))).toBe(true);
    const files = await readdir(template);
    expect(files).not.toContain('synesthete.lock');
    expect(files).not.toContain('index');

    const second = await openCatalog(join(tmp.dir, 'a2'));
    try {
      // The template was saved before the first catalogue's track: the copy holds none.
      expect(await second.count()).toBe(0);
      const added = await second.upsertTrack(
        newTrack({ sourcePath: '/music/second.flac', embedding: vector(2, 8) }),
      );
      const [row] = await second.getTracks([added.id]);
      expect(row?.sourcePath).toBe('/music/second.flac');
      expect(Array.from(row?.embedding ?? [])).toEqual(Array.from(vector(2, 8)));
    } finally {
      await second.close();
    }
    const templateId = await systemIdentifier(template);
    expect(await systemIdentifier(join(tmp.dir, 'a2'))).toBe(templateId);
    expect(await systemIdentifier(join(tmp.dir, 'a1'))).toBe(templateId);

    // A third catalogue made with no template (another cache) comes from initdb: a new cluster.
    process.env.SYNESTHETE_CACHE_DIR = join(tmp.dir, 'cache-b');
    const third = await openCatalog(join(tmp.dir, 'a3'));
    await third.close();
    expect(await systemIdentifier(join(tmp.dir, 'a3'))).not.toBe(templateId);
  });

  it('keys the template by the migrations: another folder gets another key', async () => {
    const other = join(tmp.dir, 'migrations-other');
    await cp(migrationsDir(), other, { recursive: true });
    expect(templateKey(other)).toBe(templateKey(migrationsDir()));
    await writeFile(join(other, '9999_more.sql'), 'select 1;');
    expect(templateKey(other)).not.toBe(templateKey(migrationsDir()));
    expect(templateKey(migrationsDir())).toMatch(/^[0-9a-f]{16}$/);
  });

  it('removes templates of other keys when it saves its own', async () => {
    const cache = join(tmp.dir, 'cache-c');
    process.env.SYNESTHETE_CACHE_DIR = cache;
    const stale = join(cache, 'catalog-template-0000000000000000');
    await mkdir(stale, { recursive: true });
    await writeFile(join(stale, 'PG_VERSION'), '17\n');
    const catalog = await openCatalog(join(tmp.dir, 'c1'));
    await catalog.close();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(templateDir(migrationsDir()), 'PG_VERSION'))).toBe(true);
  });

  it('falls back to initdb, and replaces the template, when the template does not open', async () => {
    const cache = join(tmp.dir, 'cache-d');
    process.env.SYNESTHETE_CACHE_DIR = cache;
    const template = templateDir(migrationsDir());
    // A damaged template: PG_VERSION but no cluster behind it.
    await mkdir(template, { recursive: true });
    await writeFile(join(template, 'PG_VERSION'), '17\n');
    await writeFile(join(template, 'postgresql.conf'), 'this is not a setting\n');
    const catalog = await openCatalog(join(tmp.dir, 'd1'));
    try {
      expect(await catalog.count()).toBe(0);
      await catalog.upsertTrack(newTrack({ sourcePath: '/music/d.flac' }));
      expect(await catalog.count()).toBe(1);
    } finally {
      await catalog.close();
    }
    // The damaged template was dropped and the new catalogue saved in its place.
    expect(existsSync(join(template, 'global', 'pg_control'))).toBe(true);
    expect(await systemIdentifier(template)).toBe(await systemIdentifier(join(tmp.dir, 'd1')));
    await rm(cache, { recursive: true, force: true });
  });
});
