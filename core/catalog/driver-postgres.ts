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
 * under a transaction-level advisory lock ({@link MIGRATION_LOCK_KEY}), so that processes starting together
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
    // The catalogue stores no array columns, so postgres-js need not read the server's array
    // types. That read is the first query on every new connection, and when the server ends the
    // connection during it, postgres-js 3.4 drops the rejection where nobody can catch it (an
    // unhandled rejection that ends the process: porsager/postgres issues 1192, 1205, 1223).
    fetch_types: false,
    connection: { application_name: 'synesthete', extra_float_digits: 3 },
  });
  const close = () => client.end({ timeout: 5 });
  try {
    const db = drizzle({ client });
    // The lock is held by a transaction on one connection (released when it ends, even when a
    // migration throws); the migrator uses the pool's others. Not `client.reserve()`: with
    // `fetch_types: false`, postgres-js 3.4 never hands a fresh connection to a reservation.
    await client.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
      await migrate(db, { migrationsFolder });
    });
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
