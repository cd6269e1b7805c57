/**
 * The catalogue schema, as code (drizzle pg-core). drizzle-kit turns it into the SQL under
 * `migrations/` (`npx drizzle-kit generate`), which {@link openCatalog} applies at start-up. The same
 * schema serves both drivers (PGlite and PostgreSQL via postgres-js).
 *
 * @module
 */

import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * PostgreSQL `bytea` as a `Uint8Array` (drizzle-orm 0.45 has no built-in bytea column). Written
 * as a `Buffer` view (postgres-js sends only a Buffer as binary; PGlite takes any Uint8Array);
 * PGlite returns a `Uint8Array`, postgres-js a `Buffer`, both copied into a plain `Uint8Array`.
 */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value),
});

/** Whether this machine stores a float32 little-endian (every platform Node ships for but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reverses the bytes of every 4-byte group of `bytes` in place. */
function swap32(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const [a, b, c, d] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!];
    bytes[i] = d;
    bytes[i + 1] = c;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
  return bytes;
}

/**
 * A `Float32Array` stored as `bytea`: IEEE 754 binary32 values, little-endian, 4 bytes each, so a
 * vector goes to the database and back as its bytes — no text to print and parse (a 30 s track's
 * 2,560 values cost ~6 ms of PGlite's CPU as `real[]` text, ~1.6 ms as bytes), every value exact,
 * −0 and all. Migration 0002 converted the former `real[]` columns. Read as a fresh, aligned copy.
 *
 * @throws Error from reading when the stored length is not a multiple of 4 (not written here)
 */
const float32Bytes = customType<{ data: Float32Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return LITTLE_ENDIAN ? bytes : swap32(Buffer.from(bytes));
  },
  fromDriver: (value) => {
    if (value.byteLength % 4 !== 0) {
      throw new Error(`a stored float32 vector has ${value.byteLength} bytes, not a multiple of 4`);
    }
    const out = new Float32Array(value.byteLength / 4);
    const bytes = new Uint8Array(out.buffer);
    bytes.set(value);
    if (!LITTLE_ENDIAN) swap32(bytes);
    return out;
  },
});

/**
 * One row per catalogue track.
 *
 * - `source_path`: the path (resolved absolute) or URI given to ingest; unique, the upsert key.
 * - `content_hash`: hex sha256 of the file bytes, for incremental ingest and duplicate detection.
 * - `embedding`: the pooled, L2-normalised track embedding (float32 values as `bytea`, see
 *   {@link float32Bytes}, so a `Float32Array` round-trips exactly); NULL until embedded.
 * - `window_embeddings`: every window's embedding, flattened row-major `window_count × dim` (as
 *   `embedding`), used
 *   to recognise a clip *as* a catalogue track.
 * - `descriptors`: tempo/key/loudness/timbre summaries; opaque to the catalogue.
 * - `model_version`: the model version (metadata.json) that produced the embeddings; rows with
 *   another version are stale.
 * - `fingerprint`: the landmark hashes of the whole track for identifying recordings of it
 *   (core/fingerprint/stored-fingerprint.ts gives the layout and its version); NULL in catalogues
 *   ingested before fingerprints existed, until the next ingest adds it.
 * - `clip_view`: for a sample of the tracks, the vector of one voice-note view of the track (a
 *   random 10 s excerpt through a random voice-note chain, core/library/voice-note-view.ts), as
 *   `embedding`; the library's clip map (core/library/clip-map.ts) is fitted on these pairs. NULL
 *   for the other tracks.
 */
export const tracks = pgTable(
  'tracks',
  {
    id: serial('id').primaryKey(),
    sourcePath: text('source_path').notNull().unique(),
    contentHash: text('content_hash').notNull(),
    title: text('title'),
    artist: text('artist'),
    album: text('album'),
    genre: text('genre'),
    durationS: real('duration_s'),
    embedding: float32Bytes('embedding'),
    windowEmbeddings: float32Bytes('window_embeddings'),
    windowCount: integer('window_count').notNull().default(0),
    descriptors: jsonb('descriptors').$type<Record<string, unknown>>(),
    modelVersion: text('model_version'),
    fingerprint: bytea('fingerprint'),
    clipView: float32Bytes('clip_view'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('tracks_content_hash_idx').on(table.contentHash)],
);

/** A row of {@link tracks} as drizzle returns it. */
export type TrackRow = typeof tracks.$inferSelect;

/** A row of {@link tracks} as drizzle accepts it for insert. */
export type TrackInsert = typeof tracks.$inferInsert;

/**
 * One row (`id` = 1): the catalogue's version, bumped by a trigger (migration 0003) after every
 * statement that inserts, updates or deletes tracks, which also sends `NOTIFY synesthete_catalog`
 * with the new version. Running engines poll it to follow changes other processes make.
 */
export const catalogState = pgTable(
  'catalog_state',
  {
    id: integer('id').primaryKey().default(1),
    version: bigint('version', { mode: 'number' }).notNull().default(0),
  },
  (table) => [check('catalog_state_one_row', sql`${table.id} = 1`)],
);

/**
 * Conversations' votes on tracks (the only thing kept about a user): `conversation` is the
 * platform-scoped conversation id the chat adapters use, `vote` 1 (👍 / more like this) or −1 (👎).
 * A later vote on a track replaces the earlier one; `/forget` deletes a conversation's rows.
 */
export const conversationVotes = pgTable(
  'conversation_votes',
  {
    conversation: text('conversation').notNull(),
    trackId: integer('track_id').notNull(),
    vote: smallint('vote').notNull(),
    votedAt: timestamp('voted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.conversation, table.trackId] }),
    check('conversation_votes_vote', sql`${table.vote} in (1, -1)`),
  ],
);

/**
 * Keys of events already handled (e.g. a Slack event id), so that an event delivered to two
 * instances, or delivered again, is handled once. Rows expire after their time to live.
 */
export const seenEvents = pgTable(
  'seen_events',
  {
    key: text('key').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('seen_events_expires_idx').on(table.expiresAt)],
);
