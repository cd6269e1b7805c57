/**
 * The one database type the shared repository is written against. Both drivers (drizzle's
 * `pglite` and `postgres-js`) produce a `PgDatabase`; only opening, migrating and closing differ.
 *
 * @module
 */

import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** A drizzle pg database, whichever driver is underneath. */
export type CatalogDb = PgDatabase<PgQueryResultHKT>;

/** What a driver hands the repository: the database and how to close it. */
export interface OpenedDb {
  db: CatalogDb;
  /** Releases the connection(s) / shuts PGlite down. */
  close(): Promise<void>;
  /**
   * Calls `onNotify` for every `NOTIFY` on `channel` from any session (PostgreSQL only; the driver
   * keeps the listening connection up).
   *
   * @returns a function that stops listening
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}
