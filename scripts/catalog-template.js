#!/usr/bin/env node
// Part of `npm run build`: makes the empty catalogue's template (core/catalog/pglite-template.ts)
// when this PGlite and these migrations have none yet, so that a new catalogue is a copy of it
// instead of a run of PGlite's initdb (seconds, and ~450 MB of memory kept by the process).
// Does nothing when the template exists; a failure only warns (initdb then runs as before).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { templateDir } = await import(
  pathToFileURL(path.join(root, 'dist', 'core', 'catalog', 'pglite-template.js')).href
);
const migrations = path.join(root, 'migrations');
if (!existsSync(path.join(templateDir(migrations), 'PG_VERSION'))) {
  const { openPglite } = await import(
    pathToFileURL(path.join(root, 'dist', 'core', 'catalog', 'driver-pglite.js')).href
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'synesthete-template-'));
  try {
    const db = await openPglite(path.join(dir, 'catalog'), migrations);
    await db.close();
    if (!existsSync(path.join(templateDir(migrations), 'PG_VERSION'))) {
      console.warn('catalog-template: the template could not be saved; new catalogues run initdb');
    }
  } catch (error) {
    console.warn(`catalog-template: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
