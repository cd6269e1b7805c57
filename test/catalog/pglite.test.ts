import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
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
