/**
 * PGlite (Postgres in WASM, in-process) driver: opens a data directory or memory, applies the
 * migrations with drizzle's pglite migrator.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { debugFailure } from '../util/debug-log.js';
import type { OpenedDb } from './db.js';
import { type CatalogLock, lockCatalogDir } from './pglite-lock.js';
import {
  copyTemplateInto,
  discardTemplate,
  removeClusterFiles,
  saveTemplate,
} from './pglite-template.js';

/**
 * A `bytea` parameter as its bytes, which PGlite binds in binary format (format code 1; PGlite
 * sends any `ArrayBuffer` view that way, and PostgreSQL reads it with `bytea_recv`, PostgreSQL
 * manual §55.2.3) — no text to write and parse. PGlite's own codec writes hex text, one
 * `toString(16)` a byte: ~15 ms of this thread's time for a 30 s track's 44 KB fingerprint;
 * hex through Node's codec took ~1.5 ms for one insert of a fingerprint and its embeddings, and
 * bytes take ~0.7 ms (scratch measurement of 300 inserts, 2-core development machine).
 *
 * @param value - the column's bytes (a `Uint8Array` or `Buffer`)
 * @returns the same bytes
 * @throws TypeError for anything but a `Uint8Array`, as PGlite's codec does
 */
export function byteaParam(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('bytea takes a Uint8Array');
  return value;
}

/**
 * A `bytea` result in PostgreSQL's hex text format (`bytea_output = 'hex'`, the default; PostgreSQL
 * manual §8.4.1) back to bytes, through Node's native hex codec (PGlite's own maps every two hex
 * digits through `parseInt`).
 *
 * @param text - `\\x` and an even number of hex digits
 * @returns the bytes, on their own buffer
 */
export function byteaFromText(text: string): Uint8Array {
  // Copied off Node's shared pool (small Buffers are views of one 8 KiB slab).
  return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
}

/**
 * Opens (creating if missing) a PGlite database and migrates it to the latest schema. A data
 * directory is locked first (see pglite-lock.ts): one process at a time; `close()` unlocks it.
 *
 * @param dataDir - absolute data directory, or undefined for an in-memory database
 * @param migrationsFolder - drizzle-kit output folder (holds `meta/_journal.json`)
 * @returns the database and its closer
 * @throws SynestheteError `E_CATALOG` when another live process holds the directory; whatever
 *   PGlite or the migrator throws (the caller wraps it in `E_CATALOG`)
 */
export async function openPglite(
  dataDir: string | undefined,
  migrationsFolder: string,
): Promise<OpenedDb> {
  let lock: CatalogLock | undefined;
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    lock = await lockCatalogDir(dataDir);
  }
  // A new data directory is a copy of the empty catalogue's template (pglite-template.ts). Without
  // one it is made by PGlite's initdb, whose memory (~450 MB of WebAssembly memory and file-system
  // images) the client keeps as long as it lives: the new catalogue is migrated, closed, saved as
  // the template and opened again, and only the second client is kept.
  const isNew = dataDir !== undefined && !existsSync(path.join(dataDir, 'PG_VERSION'));
  const fromTemplate = isNew && (await copyTemplateInto(dataDir, migrationsFolder));
  const open = async (): Promise<PGlite> => {
    const made = await createClient(dataDir);
    try {
      if (!(await migratedAlready(made, migrationsFolder))) {
        await migrate(drizzle({ client: made }), { migrationsFolder });
      }
      return made;
    } catch (error) {
      await made.close().catch(() => {});
      throw error;
    }
  };
  const makeNew = async (): Promise<PGlite> => {
    await (await open()).close();
    if (dataDir !== undefined) await saveTemplate(dataDir, migrationsFolder);
    return open();
  };
  const first = async (): Promise<PGlite> => {
    if (!isNew) return open();
    if (!fromTemplate) return makeNew();
    try {
      return await open();
    } catch (error) {
      // A template that does not open (damaged in the cache) is dropped, and initdb runs instead.
      debugFailure(`opening a new catalogue made from the template in ${dataDir}`, error);
      await discardTemplate(migrationsFolder);
      await removeClusterFiles(dataDir);
      return makeNew();
    }
  };
  const client = await first().catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  return {
    db: drizzle({ client }),
    close: async () => {
      try {
        await client.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/**
 * Whether the catalogue already holds every migration of `migrationsFolder`: drizzle's migrator
 * applies those whose journal time (`when`, ms) is newer than the last row of
 * `drizzle.__drizzle_migrations`, after a `CREATE SCHEMA` and a `CREATE TABLE IF NOT EXISTS` that
 * cost a cold PGlite more than the one query this takes. A catalogue opened by every command, most
 * of them only reading, skips the migrator when this is true.
 *
 * @param client - the opened PGlite client
 * @param migrationsFolder - drizzle-kit output folder (holds `meta/_journal.json`)
 * @returns true when the newest migration is recorded; false when one is missing, the table is
 *   not there yet (a new catalogue), or the journal cannot be read (the migrator then decides)
 */
async function migratedAlready(client: PGlite, migrationsFolder: string): Promise<boolean> {
  try {
    const journal = JSON.parse(
      await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
    ) as { entries?: Array<{ when?: unknown }> };
    const times = (journal.entries ?? []).map((e) => Number(e.when));
    if (times.length === 0 || times.some((t) => !Number.isFinite(t))) return false;
    const newest = Math.max(...times);
    const { rows } = await client.query<{ created_at: string | number }>(
      'select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1',
    );
    return rows[0] !== undefined && Number(rows[0].created_at) >= newest;
  } catch (error) {
    debugFailure('checking the catalogue for pending migrations', error);
    return false;
  }
}

/** PostgreSQL's `shared_buffers` inside PGlite (its default is 128MB). */
const SHARED_BUFFERS = '16MB';

/** A PGlite client with the catalogue's bytea codecs. */
function createClient(dataDir: string | undefined): Promise<PGlite> {
  return PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    // PostgreSQL's default 128 MB of shared buffers live in PGlite's WebAssembly memory, which
    // never shrinks: ~120 MB of every process's RSS. The catalogue's files stay in the operating
    // system's page cache either way (PGlite reads them through the real file system).
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
    // PGlite's type says a serializer returns text; its bind step (PGlite 0.5) sends an
    // `ArrayBuffer` view as binary instead, which the catalogue tests' round trips check.
    serializers: {
      [types.BYTEA]: byteaParam as (value: unknown) => unknown as (x: unknown) => string,
    },
    parsers: { [types.BYTEA]: byteaFromText },
  });
}
