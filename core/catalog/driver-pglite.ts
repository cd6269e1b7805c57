/**
 * PGlite (Postgres in WASM, in-process) driver: opens a data directory or memory, applies the
 * migrations with drizzle's pglite migrator.
 *
 * @module
 */

import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { OpenedDb } from './db.js';

/**
 * Opens (creating if missing) a PGlite database and migrates it to the latest schema.
 *
 * @param dataDir - absolute data directory, or undefined for an in-memory database
 * @param migrationsFolder - drizzle-kit output folder (holds `meta/_journal.json`)
 * @returns the database and its closer
 * @throws whatever PGlite or the migrator throws (the caller wraps it in `E_CATALOG`)
 */
export async function openPglite(
  dataDir: string | undefined,
  migrationsFolder: string,
): Promise<OpenedDb> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  try {
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder });
    return { db, close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}
