/**
 * The catalogue schema, as code (drizzle pg-core). drizzle-kit turns it into the SQL under
 * `migrations/` (`npx drizzle-kit generate`), which {@link openCatalog} applies at start-up. The same
 * schema serves both drivers (PGlite and PostgreSQL via postgres-js).
 *
 * @module
 */

import {
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  serial,
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

/**
 * One row per catalogue track.
 *
 * - `source_path`: the path (resolved absolute) or URI given to ingest; unique, the upsert key.
 * - `content_hash`: hex sha256 of the file bytes, for incremental ingest and duplicate detection.
 * - `embedding`: the pooled, L2-normalised track embedding (`real[]`, i.e. float4, so a
 *   `Float32Array` round-trips exactly); NULL until embedded.
 * - `window_embeddings`: every window's embedding, flattened row-major `window_count × dim`, used
 *   to recognise a clip *as* a catalogue track.
 * - `descriptors`: tempo/key/loudness/timbre summaries; opaque to the catalogue.
 * - `model_version`: the model version (metadata.json) that produced the embeddings; rows with
 *   another version are stale.
 * - `fingerprint`: the landmark hashes of the whole track for identifying recordings of it
 *   (core/fingerprint/stored-fingerprint.ts gives the layout and its version); NULL in catalogues
 *   ingested before fingerprints existed, until the next ingest adds it.
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
    embedding: real('embedding').array(),
    windowEmbeddings: real('window_embeddings').array(),
    windowCount: integer('window_count').notNull().default(0),
    descriptors: jsonb('descriptors').$type<Record<string, unknown>>(),
    modelVersion: text('model_version'),
    fingerprint: bytea('fingerprint'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('tracks_content_hash_idx').on(table.contentHash)],
);

/** A row of {@link tracks} as drizzle returns it. */
export type TrackRow = typeof tracks.$inferSelect;

/** A row of {@link tracks} as drizzle accepts it for insert. */
export type TrackInsert = typeof tracks.$inferInsert;
