/**
 * The track repository, written once against drizzle's pg-core and shared by every driver
 * (after drizzle-orm's own one-suite-many-drivers layout). Converts between database rows and
 * {@link TrackRecord}s (the embeddings are `Float32Array`s both ways: schema.ts stores their
 * bytes), and turns every database failure into SynestheteError `E_CATALOG`. On PostgreSQL a
 * query that lost its connection is retried for up to 30 s (see transient.ts), so a server
 * restart is bridged, not reported.
 *
 * @module
 */

import { and, asc, count, eq, getTableColumns, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import { SynestheteError } from '../util/errors.js';
import { createConversationStore } from './conversation-store.js';
import type { CatalogDb, OpenedDb } from './db.js';
import { describeDbError } from './db-error.js';
import { catalogState, type TrackInsert, type TrackRow, tracks } from './schema.js';
import { withReconnect } from './transient.js';
import type {
  Catalog,
  CatalogKind,
  ConversationStore,
  NewTrack,
  TrackClipView,
  TrackEmbeddings,
  TrackFingerprint,
  TrackInfo,
  TrackRecord,
} from './types.js';

/** The channel migration 0003's trigger notifies after every change to tracks. */
const CHANGE_CHANNEL = 'synesthete_catalog';

/** Rows fetched per round trip by {@link Catalog.embeddings} (bounds one result's size). */
const EMBEDDINGS_PAGE = 256;

/**
 * Wraps an opened database in the {@link Catalog} interface.
 *
 * @param opened - database and closer from a driver
 * @param kind - which driver it is
 * @param location - printable, password-redacted location used in error messages
 */
export function createRepository(opened: OpenedDb, kind: CatalogKind, location: string): Catalog {
  return new DrizzleCatalog(opened, kind, location);
}

class DrizzleCatalog implements Catalog {
  readonly kind: CatalogKind;
  readonly location: string;
  readonly #db: CatalogDb;
  readonly conversations: ConversationStore;
  readonly #close: () => Promise<void>;
  readonly #listen: OpenedDb['listen'];
  #closed = false;

  constructor(opened: OpenedDb, kind: CatalogKind, location: string) {
    this.#db = opened.db;
    this.#close = opened.close;
    this.#listen = opened.listen;
    this.kind = kind;
    this.location = location;
    this.conversations = createConversationStore(opened.db, (what, run) => this.#guard(what, run));
  }

  upsertTrack(track: NewTrack): Promise<TrackRecord> {
    return this.#guard('upsert a track', async () => {
      const values = toInsert(track, this.location);
      const rows = await this.#db
        .insert(tracks)
        .values(values)
        .onConflictDoUpdate({ target: tracks.sourcePath, set: UPSERT_SET })
        .returning(STORED_SMALL_COLUMNS);
      return storedRecord(first(rows), track);
    });
  }

  getTrack(id: number): Promise<TrackRecord | undefined> {
    return this.#guard('read a track', async () => {
      if (!isId(id)) return undefined;
      const rows = await this.#db.select().from(tracks).where(eq(tracks.id, id));
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  getTracks(ids: readonly number[]): Promise<TrackRecord[]> {
    return this.#guard('read tracks', async () => {
      const wanted = [...new Set(ids.filter(isId))];
      if (wanted.length === 0) return [];
      const rows = await this.#db.select().from(tracks).where(inArray(tracks.id, wanted));
      const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
      return ids.flatMap((id) => {
        const record = byId.get(id);
        return record === undefined ? [] : [record];
      });
    });
  }

  trackVectors(ids: readonly number[], modelVersion: string): Promise<Map<number, Float32Array>> {
    return this.#guard('read track vectors', async () => {
      const wanted = [...new Set(ids.filter(isId))];
      if (wanted.length === 0) return new Map();
      const rows = await this.#db
        .select({ id: tracks.id, embedding: tracks.embedding })
        .from(tracks)
        .where(
          and(
            inArray(tracks.id, wanted),
            eq(tracks.modelVersion, modelVersion),
            isNotNull(tracks.embedding),
          ),
        );
      return new Map(
        rows.flatMap((row) => (row.embedding === null ? [] : [[row.id, row.embedding] as const])),
      );
    });
  }

  getTrackInfos(ids: readonly number[]): Promise<TrackInfo[]> {
    return this.#guard('read tracks', async () => {
      const wanted = [...new Set(ids.filter(isId))];
      if (wanted.length === 0) return [];
      const rows = await this.#db
        .select({
          id: tracks.id,
          sourcePath: tracks.sourcePath,
          contentHash: tracks.contentHash,
          title: tracks.title,
          artist: tracks.artist,
          album: tracks.album,
          genre: tracks.genre,
          durationS: tracks.durationS,
          descriptors: tracks.descriptors,
          modelVersion: tracks.modelVersion,
        })
        .from(tracks)
        .where(inArray(tracks.id, wanted));
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.flatMap((id) => {
        const info = byId.get(id);
        return info === undefined ? [] : [info];
      });
    });
  }

  findBySourcePath(path: string): Promise<TrackRecord | undefined> {
    return this.#guard('find a track by path', async () => {
      const rows = await this.#db.select().from(tracks).where(eq(tracks.sourcePath, path));
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  findByContentHash(hash: string): Promise<TrackRecord[]> {
    return this.#guard('find tracks by content hash', async () => {
      const rows = await this.#db
        .select()
        .from(tracks)
        .where(eq(tracks.contentHash, hash))
        .orderBy(asc(tracks.id));
      return rows.map(toRecord);
    });
  }

  listTracks(options: { limit?: number; offset?: number } = {}): Promise<TrackRecord[]> {
    const { limit, offset = 0 } = options;
    if (!isCount(offset) || (limit !== undefined && !isCount(limit))) {
      return Promise.reject(
        new SynestheteError(
          'E_CATALOG',
          `invalid page (limit ${limit}, offset ${offset}): both must be integers ≥ 0`,
        ),
      );
    }
    return this.#guard('list tracks', async () => {
      const query = this.#db.select().from(tracks).orderBy(asc(tracks.id)).offset(offset);
      const rows = await (limit === undefined ? query : query.limit(limit));
      return rows.map(toRecord);
    });
  }

  count(): Promise<number> {
    return this.#guard('count tracks', async () => {
      const rows = await this.#db.select({ n: count() }).from(tracks);
      return rows[0]?.n ?? 0;
    });
  }

  countByModelVersion(version: string): Promise<{ current: number; stale: number }> {
    return this.#guard('count stale tracks', async () => {
      const rows = await this.#db
        .select({
          total: count(),
          current:
            sql<number>`count(*) filter (where ${tracks.modelVersion} = ${version} and ${tracks.embedding} is not null)`.mapWith(
              Number,
            ),
        })
        .from(tracks);
      const total = rows[0]?.total ?? 0;
      const current = rows[0]?.current ?? 0;
      return { current, stale: total - current };
    });
  }

  embeddings(modelVersion: string): Promise<TrackEmbeddings[]> {
    return this.#guard('read embeddings', async () => {
      const out: TrackEmbeddings[] = [];
      let after = 0;
      for (;;) {
        const rows = await this.#db
          .select({
            id: tracks.id,
            embedding: tracks.embedding,
            windowEmbeddings: tracks.windowEmbeddings,
            windowCount: tracks.windowCount,
          })
          .from(tracks)
          .where(
            and(
              eq(tracks.modelVersion, modelVersion),
              isNotNull(tracks.embedding),
              gt(tracks.id, after),
            ),
          )
          .orderBy(asc(tracks.id))
          .limit(EMBEDDINGS_PAGE);
        for (const row of rows) {
          if (row.embedding === null) continue;
          out.push({
            id: row.id,
            embedding: row.embedding,
            windowEmbeddings: row.windowEmbeddings,
            windowCount: row.windowCount,
          });
        }
        const last = rows.at(-1);
        if (last === undefined || rows.length < EMBEDDINGS_PAGE) return out;
        after = last.id;
      }
    });
  }

  embeddingIds(modelVersion: string): Promise<number[]> {
    return this.#guard('read track ids', async () => {
      const rows = await this.#db
        .select({ id: tracks.id })
        .from(tracks)
        .where(and(eq(tracks.modelVersion, modelVersion), isNotNull(tracks.embedding)))
        .orderBy(asc(tracks.id));
      return rows.map((row) => row.id);
    });
  }

  clipViews(modelVersion: string, limit: number): Promise<TrackClipView[]> {
    return this.#guard('read voice-note views', async () => {
      const rows = await this.#db
        .select({ id: tracks.id, embedding: tracks.embedding, view: tracks.clipView })
        .from(tracks)
        .where(
          and(
            eq(tracks.modelVersion, modelVersion),
            isNotNull(tracks.embedding),
            isNotNull(tracks.clipView),
          ),
        )
        .orderBy(asc(tracks.id))
        .limit(Math.max(0, Math.floor(limit)));
      const out: TrackClipView[] = [];
      for (const row of rows) {
        if (row.embedding !== null && row.view !== null) {
          out.push({ id: row.id, embedding: row.embedding, view: row.view });
        }
      }
      return out;
    });
  }

  countClipViews(modelVersion: string): Promise<number> {
    return this.#guard('count voice-note views', async () => {
      const [row] = await this.#db
        .select({ n: count() })
        .from(tracks)
        .where(
          and(
            eq(tracks.modelVersion, modelVersion),
            isNotNull(tracks.embedding),
            isNotNull(tracks.clipView),
          ),
        );
      return Number(row?.n ?? 0);
    });
  }

  fingerprints(modelVersion: string): Promise<TrackFingerprint[]> {
    return this.#guard('read fingerprints', async () => {
      const out: TrackFingerprint[] = [];
      let after = 0;
      for (;;) {
        const rows = await this.#db
          .select({ id: tracks.id, fingerprint: tracks.fingerprint })
          .from(tracks)
          .where(
            and(
              eq(tracks.modelVersion, modelVersion),
              isNotNull(tracks.embedding),
              isNotNull(tracks.fingerprint),
              gt(tracks.id, after),
            ),
          )
          .orderBy(asc(tracks.id))
          .limit(EMBEDDINGS_PAGE);
        for (const row of rows) {
          if (row.fingerprint !== null) out.push({ id: row.id, fingerprint: row.fingerprint });
        }
        const last = rows.at(-1);
        if (last === undefined || rows.length < EMBEDDINGS_PAGE) return out;
        after = last.id;
      }
    });
  }

  deleteTrack(id: number): Promise<boolean> {
    return this.#guard('delete a track', async () => {
      if (!isId(id)) return false;
      const rows = await this.#db
        .delete(tracks)
        .where(eq(tracks.id, id))
        .returning({ id: tracks.id });
      return rows.length > 0;
    });
  }

  listSources(): Promise<Array<{ id: number; sourcePath: string }>> {
    return this.#guard('list track sources', () =>
      this.#db
        .select({ id: tracks.id, sourcePath: tracks.sourcePath })
        .from(tracks)
        .orderBy(asc(tracks.id)),
    );
  }

  version(): Promise<number> {
    return this.#guard('read the catalogue version', async () => {
      const rows = await this.#db
        .select({ version: catalogState.version })
        .from(catalogState)
        .where(eq(catalogState.id, 1));
      return rows[0]?.version ?? 0;
    });
  }

  watch(onChange: () => void): Promise<() => Promise<void>> {
    const listen = this.#listen;
    if (listen === undefined) return Promise.resolve(async () => {});
    return this.#guard('watch the catalogue', () => listen(CHANGE_CHANNEL, onChange));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#guard('close the catalogue', () => this.#close());
  }

  async #guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed && what !== 'close the catalogue') {
      throw new SynestheteError('E_CATALOG', `catalogue ${this.location} is closed`);
    }
    try {
      // PostgreSQL may restart under a running bot or ingest: every query here is idempotent (the
      // upsert is keyed by source path), so a lost connection is retried once the server is back.
      return this.kind === 'postgres' && what !== 'close the catalogue'
        ? await withReconnect(run)
        : await run();
    } catch (error) {
      if (error instanceof SynestheteError) throw error;
      throw new SynestheteError(
        'E_CATALOG',
        `could not ${what} in catalogue ${this.location}: ${describeDbError(error)}`,
        { cause: error },
      );
    }
  }
}

/** Validates a {@link NewTrack} and converts it to a drizzle insert row. */
function toInsert(track: NewTrack, location: string): TrackInsert & { sourcePath: string } {
  const reject = (why: string): never => {
    throw new SynestheteError(
      'E_CATALOG',
      `cannot store track ${track.sourcePath} in catalogue ${location}: ${why}`,
    );
  };
  if (track.sourcePath.length === 0) reject('empty source path');
  if (!isCount(track.windowCount))
    reject(`window count ${track.windowCount} is not an integer ≥ 0`);
  if (track.embedding !== null && !allFinite(track.embedding)) reject('non-finite embedding value');
  if (track.clipView && !allFinite(track.clipView)) reject('non-finite voice-note view value');
  const windows = track.windowEmbeddings;
  if (windows !== null) {
    if (!allFinite(windows)) reject('non-finite window embedding value');
    if (track.windowCount === 0 || windows.length % track.windowCount !== 0) {
      reject(`${windows.length} window values do not split into ${track.windowCount} windows`);
    }
    // The window dimension may differ from the track embedding's (a fused track vector).
  }
  return {
    sourcePath: track.sourcePath,
    contentHash: track.contentHash,
    title: track.title,
    artist: track.artist,
    album: track.album,
    genre: track.genre,
    durationS: track.durationS,
    embedding: track.embedding,
    windowEmbeddings: windows,
    windowCount: track.windowCount,
    descriptors: track.descriptors,
    modelVersion: track.modelVersion,
    fingerprint: track.fingerprint ?? null,
    clipView: track.clipView ?? null,
  };
}

/** Converts a drizzle row to a {@link TrackRecord}. */
function toRecord(row: TrackRow): TrackRecord {
  return {
    id: row.id,
    sourcePath: row.sourcePath,
    contentHash: row.contentHash,
    title: row.title,
    artist: row.artist,
    album: row.album,
    genre: row.genre,
    durationS: row.durationS,
    embedding: row.embedding,
    windowEmbeddings: row.windowEmbeddings,
    windowCount: row.windowCount,
    descriptors: row.descriptors,
    modelVersion: row.modelVersion,
    fingerprint: row.fingerprint,
    clipView: row.clipView,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * What an upsert sets on a conflict: every written column from the row proposed for insertion
 * (`EXCLUDED`, PostgreSQL manual, INSERT … ON CONFLICT), not from its values bound a second time,
 * which would make the database parse the embeddings and the fingerprint twice (~9 ms a 30 s
 * track in PGlite); and a new `updated_at`.
 */
const UPSERT_SET = {
  ...Object.fromEntries(
    Object.entries(getTableColumns(tracks))
      .filter(([key]) => !['id', 'sourcePath', 'createdAt', 'updatedAt'].includes(key))
      .map(([key, column]) => [key, sql.raw(`excluded.${column.name}`)]),
  ),
  updatedAt: sql`now()`,
};

/**
 * The columns an upsert reads back: all but the three large ones (embedding, window embeddings,
 * fingerprint), whose stored values equal what was written (all three are stored as their
 * bytes), so the record takes them from its input instead of making the database send ~100 KB
 * per track back.
 */
const {
  embedding: _embedding,
  windowEmbeddings: _windowEmbeddings,
  fingerprint: _fingerprint,
  clipView: _clipView,
  ...STORED_SMALL_COLUMNS
} = getTableColumns(tracks);

/** The record of a row just upserted from `track`: its small columns as stored, the rest copied. */
function storedRecord(
  row: Omit<TrackRow, 'embedding' | 'windowEmbeddings' | 'fingerprint' | 'clipView'>,
  track: NewTrack,
): TrackRecord {
  const copy = (v: Float32Array | null) => (v === null ? null : new Float32Array(v));
  return {
    ...row,
    embedding: copy(track.embedding),
    windowEmbeddings: copy(track.windowEmbeddings),
    fingerprint: track.fingerprint ? new Uint8Array(track.fingerprint) : null,
    clipView: copy(track.clipView ?? null),
  };
}

function first<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('the database returned no row');
  return row;
}

function allFinite(values: Float32Array): boolean {
  for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/** A value that can be a serial id (int4 > 0). */
function isId(id: number): boolean {
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647;
}

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}
