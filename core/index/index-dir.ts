/**
 * Where a catalogue's index files live: beside the catalogue when it is a PGlite directory, in a
 * per-database cache folder for PostgreSQL, in a temporary folder for an in-memory catalogue.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import { packageRoot } from '../paths.js';

const memoryDirs = new WeakMap<object, string>();

/**
 * The folder for `catalog`'s index files (created only by whoever writes them, except the
 * temporary folder of an in-memory catalogue, which is created here):
 * - PGlite directory `D` → `D/index`
 * - PostgreSQL → `<packageRoot>/data/index-cache/<first 12 hex of sha1(redacted URL)>`
 * - `memory://` → a fresh `$TMPDIR/synesthete-index-XXXXXX`, the same one for the same catalogue
 *
 * @param catalog - an open catalogue (only `kind` and `location` are read)
 * @returns an absolute folder path
 */
export function indexDirFor(catalog: Pick<Catalog, 'kind' | 'location'>): string {
  if (catalog.kind === 'postgres') {
    const key = createHash('sha1').update(catalog.location).digest('hex').slice(0, 12);
    return join(packageRoot(), 'data', 'index-cache', key);
  }
  if (catalog.location === 'memory://') {
    const known = memoryDirs.get(catalog);
    if (known !== undefined) return known;
    const dir = mkdtempSync(join(tmpdir(), 'synesthete-index-'));
    memoryDirs.set(catalog, dir);
    return dir;
  }
  return join(catalog.location, 'index');
}
