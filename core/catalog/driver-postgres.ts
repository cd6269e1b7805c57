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

/** Seconds to wait for a TCP connection before giving up. */
const CONNECT_TIMEOUT_S = 10;

/**
 * Key of the session-level advisory lock (PostgreSQL `pg_advisory_lock(bigint)`) held while
 * migrating: the ASCII bytes of "Syne". Every Synesthete process migrating the same database
 * takes it, so migrations run one process at a time.
 */
const MIGRATION_LOCK_KEY = 0x53796e65;

/**
 * Connects to PostgreSQL and migrates the database to the latest schema. The migration runs
 * under an advisory lock ({@link MIGRATION_LOCK_KEY}), so that processes starting together
 * against a fresh database (e.g. two queue workers) do not race on `CREATE TYPE`/`CREATE TABLE`:
 * the second waits, then finds nothing left to apply.
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
    // The lock lives on one reserved connection; the migrator uses the pool's others.
    const locked = await client.reserve();
    try {
      await locked`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
      try {
        await migrate(db, { migrationsFolder });
      } finally {
        await locked`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
      }
    } finally {
      locked.release();
    }
    return {
      db,
      close,
      async listen(channel, onNotify) {
        const { unlisten } = await client.listen(channel, () => onNotify());
        return unlisten;
      },
    };
  } catch (error) {
    await client.end({ timeout: 0 }).catch(() => {});
    throw error;
  }
}
