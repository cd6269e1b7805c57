/**
 * The one way to open the catalogue: picks the driver from the location, applies the migrations,
 * and returns the shared repository.
 *
 * @module
 */

import { SynestheteError } from '../util/errors.js';
import { migrationsDir } from '../util/paths.js';
import type { OpenedDb } from './db.js';
import { describeDbError } from './db-error.js';
import { catalogDirProblem } from './dir-access.js';
import { openPglite } from './driver-pglite.js';
import { type CatalogLocation, parseCatalogLocation, redactLocation } from './location.js';
import { createRepository } from './repository.js';
import type { Catalog } from './types.js';

/**
 * Opens the catalogue and migrates it to the latest schema (drizzle's migrator for the driver,
 * migrations from `<packageRoot>/migrations`; already-applied migrations are skipped).
 *
 * Location, in order: the `location` argument, else env `DATABASE_URL`, else
 * `<packageRoot>/data/catalog`.
 * - `postgres://…` / `postgresql://…` → PostgreSQL via postgres-js
 * - `memory://` → in-memory PGlite
 * - anything else → a PGlite data directory, created if missing (a first open takes seconds)
 *
 * @example
 * ```ts
 * const catalog = await openCatalog('memory://');
 * try { console.log(await catalog.count()); } finally { await catalog.close(); }
 * ```
 * @param location - see above; undefined for the environment/default
 * @returns an open {@link Catalog}; call `close()` when done
 * @throws SynestheteError `E_CATALOG` (one line naming the location, password redacted) when the
 *   database cannot be reached, opened or migrated, or when a PGlite directory is in use by another
 *   process (see pglite-lock.ts: one process at a time on an embedded catalogue)
 */
export async function openCatalog(location?: string): Promise<Catalog> {
  let target: CatalogLocation | undefined;
  try {
    target = parseCatalogLocation(location);
    const opened: OpenedDb =
      target.kind === 'postgres'
        ? // The postgres.js driver only for a server: a PGlite catalogue does not load it.
          await (await import('./driver-postgres.js')).openPostgres(target.url, migrationsDir())
        : await openPglite(target.dataDir, migrationsDir());
    return createRepository(opened, target.kind, target.display);
  } catch (error) {
    // Already one line naming the catalogue (the embedded catalogue's lock: in use elsewhere).
    if (error instanceof SynestheteError) throw error;
    const display = target?.display ?? redactLocation(location ?? '');
    // PGlite aborts without a reason when it cannot write its files: say which one, and what to do.
    const access =
      target?.kind === 'pglite' && target.dataDir !== undefined
        ? await catalogDirProblem(target.dataDir)
        : null;
    let reason = access ?? describeDbError(error);
    if (target?.kind === 'postgres') {
      for (const secret of passwordsOf(target.url)) reason = reason.split(secret).join('***');
    }
    throw new SynestheteError('E_CATALOG', `cannot open catalogue ${display}: ${reason}`, {
      cause: error,
    });
  }
}

/** The password in a connection URL, as written and decoded, to scrub from driver messages. */
function passwordsOf(url: string): string[] {
  try {
    const password = new URL(url).password;
    if (password === '') return [];
    return [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}
