/**
 * Where the package lives on disk, and the default locations derived from it. Works the same from
 * the TypeScript sources (vitest, tsx) and from the compiled `dist/` tree, because both sit below
 * the directory that holds `package.json`.
 */

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SynestheteError } from './errors.js';

let cachedRoot: string | undefined;

/**
 * The package root: the nearest directory at or above this module that holds a `package.json`.
 *
 * @returns an absolute directory path (e.g. `/work/main`), cached after the first call
 * @throws SynestheteError `E_INTERNAL` when no `package.json` is found up to the filesystem root
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new SynestheteError(
        'E_INTERNAL',
        `internal error: no package.json above ${fileURLToPath(import.meta.url)}`,
      );
    }
    dir = parent;
  }
}

/**
 * The default catalogue location: a PGlite data directory at `<packageRoot>/data/catalog`, used
 * when neither an explicit location nor `DATABASE_URL` is given.
 *
 * @returns an absolute directory path (it may not exist yet)
 */
export function defaultCatalogDir(): string {
  return join(packageRoot(), 'data', 'catalog');
}

/**
 * The folder holding the drizzle-kit migrations (`<packageRoot>/migrations`), applied at start-up.
 *
 * @returns an absolute directory path
 */
export function migrationsDir(): string {
  return join(packageRoot(), 'migrations');
}

/**
 * The folder of what is made once per install (the empty catalogue's template): `SYNESTHETE_CACHE_DIR`,
 * else `<packageRoot>/data/cache`.
 *
 * @returns an absolute directory path (it may not exist yet)
 */
export function cacheDir(): string {
  const fromEnv = process.env.SYNESTHETE_CACHE_DIR;
  return fromEnv ? resolve(fromEnv) : join(packageRoot(), 'data', 'cache');
}
