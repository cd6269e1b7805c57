/**
 * Where a catalogue's index files live: a folder the operator names (`SYNESTHETE_INDEX_DIR` or the
 * engine's `indexDir` option), else beside the catalogue when it is a PGlite directory, in the
 * user's cache folder for PostgreSQL, in a temporary folder for an in-memory catalogue — never
 * inside the installed package, which may be read-only.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Catalog } from '../catalog/types.js';

const memoryDirs = new WeakMap<object, string>();

/**
 * The user's cache folder: `$XDG_CACHE_HOME`, else `~/Library/Caches` (macOS), `%LOCALAPPDATA%`
 * (Windows) or `~/.cache`; the system temporary folder when there is no home directory.
 *
 * @param env - environment to read (default `process.env`)
 * @returns an absolute folder path (it may not exist yet)
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg && isAbsolute(xdg)) return xdg;
  if (process.platform === 'win32' && env.LOCALAPPDATA?.trim()) return env.LOCALAPPDATA.trim();
  let home = '';
  try {
    home = homedir();
  } catch {
    // no home directory (a service account): fall through
  }
  if (home === '') return tmpdir();
  return process.platform === 'darwin' ? join(home, 'Library', 'Caches') : join(home, '.cache');
}

/**
 * The folder for `catalog`'s index files (created only by whoever writes them, except the
 * temporary folder of an in-memory catalogue, which is created here):
 * - `configured` (an option), else env `SYNESTHETE_INDEX_DIR` → that folder (resolved absolute)
 * - PGlite directory `D` → `D/index`
 * - PostgreSQL → `<user cache>/synesthete/index/<first 12 hex of sha1(redacted URL)>`
 * - `memory://` → a fresh `$TMPDIR/synesthete-index-XXXXXX`, the same one for the same catalogue
 *
 * @param catalog - an open catalogue (only `kind` and `location` are read)
 * @param configured - a folder chosen by the caller, or undefined for the rules above
 * @param env - environment to read (default `process.env`)
 * @returns an absolute folder path
 */
export function indexDirFor(
  catalog: Pick<Catalog, 'kind' | 'location'>,
  configured?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const chosen = configured?.trim() || env.SYNESTHETE_INDEX_DIR?.trim();
  if (chosen) return resolve(chosen);
  if (catalog.kind === 'postgres') {
    const key = createHash('sha1').update(catalog.location).digest('hex').slice(0, 12);
    return join(userCacheDir(env), 'synesthete', 'index', key);
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
