/**
 * A template for new PGlite catalogues: the data directory of an empty catalogue, made once by
 * PGlite's initdb and the migrations, then copied into every new catalogue directory instead of
 * running initdb there again (PostgreSQL's own `createdb` copies `template1` for the same reason).
 *
 * Why: PGlite's initdb runs a second PGlite instance and the initdb module in the opening process,
 * whose WebAssembly memory (~450 MB) the process keeps as long as it lives and whose peak is the
 * highest of a whole first `ingest`; it also takes seconds. A copy of the 39 MB of files of an
 * empty, cleanly closed cluster takes a fraction of that, and the catalogue is then opened as an
 * existing one.
 *
 * The template lives in `<cache>/catalog-template-<key>` (`SYNESTHETE_CACHE_DIR`, default
 * `<packageRoot>/data/cache`), where the key hashes PGlite's version and every migration file: a
 * template of another PGlite or schema is never used. `npm run build` makes it (see
 * `scripts/catalog-template.js`); without one, the first new catalogue is made by initdb as before
 * and then saved as the template. Writing one goes through a temporary folder renamed into place,
 * so that a concurrent reader sees either the whole template or none.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cacheDir } from '../util/paths.js';

/** Files of a catalogue directory that belong to Synesthete, not to PostgreSQL (never copied). */
const NOT_POSTGRES = new Set(['synesthete.lock', 'index']);

/** Prefix of a template folder's name in the cache directory. */
const PREFIX = 'catalog-template-';

/** PGlite's package version, from its package.json (next to the module Node resolves). */
function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite') return pkg.version ?? 'unknown';
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/**
 * The template's key: SHA-256 (first 16 hex digits) of PGlite's version and of every file of the
 * migrations folder (names and bytes, in name order, `meta/` included).
 *
 * @param migrationsFolder - drizzle-kit output folder
 * @returns 16 lowercase hex digits
 * @throws Error when the migrations folder cannot be read
 */
export function templateKey(migrationsFolder: string): string {
  const hash = createHash('sha256').update(`pglite ${pgliteVersion()}\n`);
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else hash.update(`${prefix}${name}\n`).update(readFileSync(full));
    }
  };
  walk(migrationsFolder, '');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The template folder for these migrations and this PGlite, whether or not it exists.
 *
 * @param migrationsFolder - drizzle-kit output folder
 * @returns an absolute directory path
 */
export function templateDir(migrationsFolder: string): string {
  return path.join(cacheDir(), `${PREFIX}${templateKey(migrationsFolder)}`);
}

/**
 * Fills a new catalogue directory from the template, when there is one.
 *
 * @param dataDir - the new catalogue's directory (exists; holds no `PG_VERSION`)
 * @param migrationsFolder - drizzle-kit output folder
 * @returns true when the template was copied in; false when there is none (or it could not be
 *   read: the directory is then left without PostgreSQL's files, for initdb)
 */
export async function copyTemplateInto(
  dataDir: string,
  migrationsFolder: string,
): Promise<boolean> {
  let template: string;
  try {
    template = templateDir(migrationsFolder);
  } catch {
    return false;
  }
  if (!existsSync(path.join(template, 'PG_VERSION'))) return false;
  try {
    await cp(template, dataDir, { recursive: true });
    return true;
  } catch {
    // A half-copied cluster must not be opened: clear PostgreSQL's files and let initdb run.
    await removeClusterFiles(dataDir);
    return false;
  }
}

/**
 * Saves a freshly made, closed, empty catalogue directory as the template (best effort: a cache
 * that cannot be written, or a template another process saved first, leaves things as they are).
 * Templates of other keys are removed.
 *
 * @param dataDir - a catalogue directory made by initdb and the migrations, holding no track, and
 *   closed (its cluster shut down cleanly)
 * @param migrationsFolder - drizzle-kit output folder
 * @returns true when this call saved the template
 */
export async function saveTemplate(dataDir: string, migrationsFolder: string): Promise<boolean> {
  try {
    const target = templateDir(migrationsFolder);
    if (existsSync(path.join(target, 'PG_VERSION'))) return false;
    const parent = path.dirname(target);
    await mkdir(parent, { recursive: true });
    const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      await cp(dataDir, temporary, {
        recursive: true,
        filter: (source) =>
          path.dirname(source) !== dataDir || !NOT_POSTGRES.has(path.basename(source)),
      });
      await rename(temporary, target);
    } catch {
      await rm(temporary, { recursive: true, force: true });
      return false;
    }
    const own = path.basename(target);
    for (const name of await readdir(parent)) {
      if (name.startsWith(PREFIX) && name !== own && !name.endsWith('.tmp')) {
        await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => {});
      }
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the template of these migrations, e.g. one whose copy did not open (best effort).
 *
 * @param migrationsFolder - drizzle-kit output folder
 */
export async function discardTemplate(migrationsFolder: string): Promise<void> {
  try {
    await rm(templateDir(migrationsFolder), { recursive: true, force: true });
  } catch {
    // Nothing to remove, or a cache that cannot be written: the next new catalogue tries again.
  }
}

/**
 * Removes PostgreSQL's files from a catalogue directory, keeping Synesthete's own (its lock file
 * and index folder), so that initdb can run there. Never throws.
 *
 * @param dataDir - a catalogue directory
 */
export async function removeClusterFiles(dataDir: string): Promise<void> {
  for (const name of await readdir(dataDir).catch(() => [] as string[])) {
    if (!NOT_POSTGRES.has(name)) {
      await rm(path.join(dataDir, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}
