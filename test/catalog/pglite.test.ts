import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { migrationsDir } from '../../core/util/paths.js';
import { catalogContract, openFailure } from './contract.js';

catalogContract('PGlite data directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synesthete-catalog-'));
  const dataDir = join(dir, 'nested', 'catalog'); // created on open
  return {
    open: async () => {
      const catalog = await openCatalog(dataDir);
      expect(catalog.kind).toBe('pglite');
      expect(catalog.location).toBe(dataDir);
      return catalog;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

it('fails with E_CATALOG naming the location when the directory cannot be created', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synesthete-catalog-'));
  try {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const message = await openFailure(join(file, 'catalog'));
    expect(message).toContain(join(file, 'catalog'));
    expect(message).not.toContain('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('converts a catalogue from before migration 0002 (real[] embeddings) to float32 bytes, values exact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synesthete-catalog-'));
  try {
    // The schema as migrations 0000 and 0001 left it, with rows written the old way.
    const old = join(dir, 'migrations');
    await cp(migrationsDir(), old, { recursive: true });
    const journalFile = join(old, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as {
      entries: Array<{ tag: string }>;
    };
    journal.entries = journal.entries.filter((e) => e.tag < '0002');
    await writeFile(journalFile, JSON.stringify(journal));
    const dataDir = join(dir, 'catalog');
    const client = await PGlite.create({ dataDir });
    await migrate(drizzle({ client }), { migrationsFolder: old });
    const insert = `insert into tracks (source_path, content_hash, embedding, window_embeddings,
      window_count, model_version) values ($1, 'h', $2, $3, $4, 'v1')`;
    await client.query(insert, ['/old/a.ogg', '{0.5,-0.25,1e-7,-0,3.4e38}', '{1,2,3,4}', 2]);
    await client.query(insert, ['/old/none.ogg', null, null, 0]);
    await client.query(insert, ['/old/empty.ogg', '{}', null, 0]);
    await client.close();

    const catalog = await openCatalog(dataDir);
    try {
      const a = await catalog.findBySourcePath('/old/a.ogg');
      const values = [0.5, -0.25, 1e-7, -0, 3.4e38].map(Math.fround);
      expect(a?.embedding).toEqual(Float32Array.from(values));
      expect(Object.is(a?.embedding?.[3], -0)).toBe(true);
      expect(a?.windowEmbeddings).toEqual(Float32Array.from([1, 2, 3, 4]));
      expect((await catalog.findBySourcePath('/old/none.ogg'))?.embedding).toBeNull();
      expect((await catalog.findBySourcePath('/old/empty.ogg'))?.embedding).toEqual(
        new Float32Array(0),
      );
      const [row] = await catalog.embeddings('v1');
      expect(row?.embedding).toEqual(a?.embedding);
    } finally {
      await catalog.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
