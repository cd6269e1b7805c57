/**
 * The soak's PostgreSQL side: a scratch database of its own, a restart of the server, and a
 * checksum of the catalogue that says whether tracks were lost or duplicated.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';

/** What the catalogue holds, summarised. */
export interface CatalogueChecksum {
  /** Rows in `tracks`. */
  readonly rows: number;
  /** Rows minus distinct source paths (0 when no track is stored twice). */
  readonly duplicates: number;
  /** Rows without an embedding (0 when every track was analysed). */
  readonly unanalysed: number;
  /**
   * sha256 (hex, first 16 characters) of `basename\tcontent_hash` of every row, sorted: equal to
   * {@link expectedChecksum} of the music folder when every file is stored once, analysed.
   */
  readonly checksum: string;
}

/**
 * Drops and creates database `name` on the server of `adminUrl`.
 *
 * @param adminUrl - a URL of the server with a maintenance database, e.g. postgresql://postgres@127.0.0.1:5432/postgres
 * @returns the URL of the new database
 */
export async function recreateDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Restarts the local PostgreSQL 15 cluster (`pg_ctlcluster 15 main restart`, fast shutdown: every
 * connection is terminated), the way a package upgrade or an operator does.
 *
 * @returns milliseconds the restart took
 * @throws the command's error when the cluster cannot be restarted
 */
export async function restartPostgres(): Promise<number> {
  const started = performance.now();
  await promisify(execFile)(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', '15', 'main', 'restart'],
    { timeout: 60_000 },
  );
  return performance.now() - started;
}

/** Reads the catalogue's rows and summarises them (see {@link CatalogueChecksum}). */
export async function catalogueChecksum(url: string): Promise<CatalogueChecksum> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { source_path: string; content_hash: string; analysed: boolean }[]
    >`select source_path, content_hash, embedding is not null as analysed from tracks`;
    const distinct = new Set(rows.map((r) => r.source_path)).size;
    return {
      rows: rows.length,
      duplicates: rows.length - distinct,
      unanalysed: rows.filter((r) => !r.analysed).length,
      checksum: digest(rows.map((r) => `${path.basename(r.source_path)}\t${r.content_hash}`)),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The checksum a catalogue of exactly these files must have.
 *
 * @param files - base name and sha256 (hex) of every file
 */
export function expectedChecksum(files: ReadonlyArray<{ name: string; sha256: string }>): string {
  return digest(files.map((f) => `${f.name}\t${f.sha256}`));
}

function digest(lines: string[]): string {
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 16);
}
