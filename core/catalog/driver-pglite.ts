/**
 * PGlite (Postgres in WASM, in-process) driver: opens a data directory or memory, applies the
 * migrations with drizzle's pglite migrator.
 *
 * @module
 */

import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { OpenedDb } from './db.js';

/**
 * `bytea` in PostgreSQL's hex text format (`\\x` and two hex digits a byte; PostgreSQL manual
 * §8.4.1), through Node's native hex codec. PGlite's own codec maps every byte through
 * `toString(16)` and `parseInt`: ~15 ms of this thread's time to write a 30 s track's 44 KB
 * fingerprint (measured in ingest), and again to read it back; ~0.1 ms here.
 *
 * @param value - the column's bytes (a `Uint8Array` or `Buffer`)
 * @returns `\\x` followed by 2 lowercase hex digits a byte
 * @throws TypeError for anything but a `Uint8Array`, as PGlite's codec does
 */
export function byteaToText(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('bytea takes a Uint8Array');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

/**
 * The inverse of {@link byteaToText}: PostgreSQL's hex output (`bytea_output = 'hex'`, the
 * default) back to bytes.
 *
 * @param text - `\\x` and an even number of hex digits
 * @returns the bytes, on their own buffer
 */
export function byteaFromText(text: string): Uint8Array {
  // Copied off Node's shared pool (small Buffers are views of one 8 KiB slab).
  return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
}

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
  const client = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    serializers: { [types.BYTEA]: byteaToText },
    parsers: { [types.BYTEA]: byteaFromText },
  });
  try {
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder });
    return { db, close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}
