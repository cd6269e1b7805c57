/**
 * PostgreSQL driver (postgres-js): connects to a `postgres://` URL and applies the migrations with
 * drizzle's postgres-js migrator.
 *
 * @module
 */

import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { OpenedDb } from './db.js';
import { rootDbError } from './db-error.js';

/** Seconds to wait for a TCP connection before giving up. */
const CONNECT_TIMEOUT_S = 10;

/**
 * Connects to PostgreSQL and migrates the database to the latest schema. A migration that the
 * server rejects is retried once, so that two processes starting together against a fresh
 * database do not both fail.
 *
 * `extra_float_digits = 3` makes the server print float4 values with enough digits to
 * round-trip exactly on every server version (PostgreSQL ≥ 12 prints shortest-exact for any value
 * > 0; older servers need 3), so `Float32Array` embeddings come back bit-identical.
 *
 * @param url - `postgres://` or `postgresql://` connection string (may hold a password)
 * @param migrationsFolder - drizzle-kit output folder (holds `meta/_journal.json`)
 * @returns the database and its closer
 * @throws whatever postgres-js or the migrator throws (the caller wraps it in `E_CATALOG`)
 */
export async function openPostgres(url: string, migrationsFolder: string): Promise<OpenedDb> {
  const client = postgres(url, {
    max: 4,
    connect_timeout: CONNECT_TIMEOUT_S,
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: 'synesthete', extra_float_digits: 3 },
  });
  const close = () => client.end({ timeout: 5 });
  try {
    const db = drizzle({ client });
    try {
      await migrate(db, { migrationsFolder });
    } catch (error) {
      // Only a server-side error (e.g. a concurrent CREATE SCHEMA) is worth a retry; a refused
      // or timed-out connection would just fail again, slowly.
      if (!(rootDbError(error) instanceof postgres.PostgresError)) throw error;
      await migrate(db, { migrationsFolder });
    }
    return { db, close };
  } catch (error) {
    await client.end({ timeout: 0 }).catch(() => {});
    throw error;
  }
}
