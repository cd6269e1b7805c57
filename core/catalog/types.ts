/**
 * The catalogue's public shapes: a stored track, the input to an upsert, and the {@link Catalog}
 * repository interface every driver (PGlite, PostgreSQL) implements identically.
 *
 * @module
 */

/** One catalogue track as stored. */
export interface TrackRecord {
  /** Database id (serial, ≥ 1); also the track index label. */
  id: number;
  /** Path (resolved absolute for files) or URI as given to ingest; unique. */
  sourcePath: string;
  /** Hex sha256 of the file bytes. */
  contentHash: string;
  title: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  /** Duration in seconds (float4 precision). */
  durationS: number | null;
  /** Pooled, L2-normalised track embedding (length = model embedding size), or null if not embedded. */
  embedding: Float32Array | null;
  /** Every window's embedding, flattened row-major `windowCount × dim`, or null. */
  windowEmbeddings: Float32Array | null;
  /** Number of rows in {@link windowEmbeddings} (0 when there are none). */
  windowCount: number;
  /** Tempo/key/loudness/timbre descriptors; opaque to the catalogue. */
  descriptors: Record<string, unknown> | null;
  /** Version of the model that produced the embeddings (metadata.json `version`), or null. */
  modelVersion: string | null;
  /**
   * Landmark fingerprint of the whole track (layout: core/fingerprint/stored-fingerprint.ts), or
   * null when the track was ingested before fingerprints existed (the repository always sets it;
   * optional so that hand-made records, e.g. test fakes, need not).
   */
  fingerprint?: Uint8Array | null;
  /**
   * The vector of one voice-note view of the track (core/library/voice-note-view.ts), stored for a
   * sample of the catalogue to fit the library's clip map, or null (optional like `fingerprint`).
   */
  clipView?: Float32Array | null;
  /** When the row was first inserted. */
  createdAt: Date;
  /** When the row was last upserted. */
  updatedAt: Date;
}

/**
 * What ingest hands to {@link Catalog.upsertTrack}: a track without its database-managed fields
 * (`fingerprint` may be left out: stored as null).
 */
export type NewTrack = Omit<
  TrackRecord,
  'id' | 'createdAt' | 'updatedAt' | 'fingerprint' | 'clipView'
> & {
  fingerprint?: Uint8Array | null;
  clipView?: Float32Array | null;
};

/** A current-model track's vector beside its voice-note view's, as {@link Catalog.clipViews} returns them. */
export interface TrackClipView {
  id: number;
  /** The track's vector (`embedding`). */
  embedding: Float32Array;
  /** The vector of its voice-note view (`clipView`). */
  view: Float32Array;
}

/** The stored fingerprint of one current-model track, as {@link Catalog.fingerprints} returns it. */
export interface TrackFingerprint {
  id: number;
  /** The `fingerprint` column's bytes (any fingerprint version: the reader checks). */
  fingerprint: Uint8Array;
}

/** The embeddings of one current-model track, as {@link Catalog.embeddings} returns them. */
export interface TrackEmbeddings {
  id: number;
  /** Pooled L2-normalised embedding. */
  embedding: Float32Array;
  /** Flattened `windowCount × dim` window embeddings, or null. */
  windowEmbeddings: Float32Array | null;
  windowCount: number;
}

/** Which storage a catalogue sits on. */
export type CatalogKind = 'pglite' | 'postgres';

/**
 * The track repository. Every method throws SynestheteError `E_CATALOG` when the database fails;
 * messages name {@link location}, never a password.
 */
/** The light columns of a track: what recommendations show (see {@link Catalog.getTrackInfos}). */
export type TrackInfo = Pick<
  TrackRecord,
  | 'id'
  | 'sourcePath'
  | 'contentHash'
  | 'title'
  | 'artist'
  | 'album'
  | 'genre'
  | 'durationS'
  | 'descriptors'
  | 'modelVersion'
>;

export interface Catalog {
  /** Printable location with any password redacted: a directory, `memory://`, or a URL. */
  readonly location: string;
  /** Which driver is in use. */
  readonly kind: CatalogKind;
  /**
   * Inserts a track, or updates every field of the track with the same `sourcePath` (keeping its
   * id and `createdAt`, setting `updatedAt` to now).
   *
   * @throws SynestheteError `E_CATALOG` when the track is inconsistent (window embeddings whose
   *   length is not a multiple of `windowCount`, non-finite values) or the write fails
   */
  upsertTrack(track: NewTrack): Promise<TrackRecord>;
  /** The track with this id, or undefined. */
  getTrack(id: number): Promise<TrackRecord | undefined>;
  /** The tracks with these ids, in the same order as `ids`; ids with no track are skipped. */
  getTracks(ids: readonly number[]): Promise<TrackRecord[]>;
  /**
   * What results show of these tracks — no embeddings or fingerprint, so a few kilobytes per
   * track instead of ~130 KB — in the same order as `ids`; ids with no track are skipped.
   */
  getTrackInfos(ids: readonly number[]): Promise<TrackInfo[]>;
  /**
   * The catalogue vectors of these tracks, by id: only the `embedding` column (a few kilobytes a
   * track), none of the fingerprint, window embeddings or voice-note view that {@link getTracks}
   * also reads. Ids with no track, no embedding, or an embedding of another model version than
   * `modelVersion` are left out.
   */
  trackVectors(ids: readonly number[], modelVersion: string): Promise<Map<number, Float32Array>>;
  /** The track ingested from exactly this path or URI, or undefined. */
  findBySourcePath(path: string): Promise<TrackRecord | undefined>;
  /** Every track whose file bytes hash to `hash` (ordered by id). */
  findByContentHash(hash: string): Promise<TrackRecord[]>;
  /** A page of tracks ordered by id (`limit` default: all; `offset` default 0). */
  listTracks(options?: { limit?: number; offset?: number }): Promise<TrackRecord[]>;
  /** Number of tracks. */
  count(): Promise<number>;
  /**
   * Tracks embedded by model `version` (`current`) versus the rest (`stale`: another or no
   * version, or no embedding). `current + stale` = {@link count}.
   */
  countByModelVersion(version: string): Promise<{ current: number; stale: number }>;
  /** Embeddings of every track with `modelVersion` and a non-null embedding, ordered by id. */
  embeddings(modelVersion: string): Promise<TrackEmbeddings[]>;
  /**
   * Ids of the tracks {@link embeddings} would return, ordered by id, without their vectors: a
   * cheap fingerprint for deciding whether a saved index still matches the catalogue.
   */
  embeddingIds(modelVersion: string): Promise<number[]>;
  /**
   * Stored fingerprints of the tracks {@link embeddings} would return (those with a non-null
   * `fingerprint`), ordered by id.
   */
  fingerprints(modelVersion: string): Promise<TrackFingerprint[]>;
  /**
   * Up to `limit` tracks embedded by `modelVersion` that have a voice-note view (`clipView`),
   * with both vectors, ordered by id.
   */
  clipViews(modelVersion: string, limit: number): Promise<TrackClipView[]>;
  /** Number of tracks embedded by `modelVersion` that have a voice-note view. */
  countClipViews(modelVersion: string): Promise<number>;
  /** Deletes a track; true when a row was deleted. */
  deleteTrack(id: number): Promise<boolean>;
  /** Every track's id and source path, ordered by id (what `ingest --prune` checks on disk). */
  listSources(): Promise<Array<{ id: number; sourcePath: string }>>;
  /**
   * The catalogue's version: a number that grows with every statement that changes tracks, in
   * any process (a trigger keeps it; see schema.ts `catalogState`). Equal versions mean equal
   * track tables.
   */
  version(): Promise<number>;
  /**
   * Calls `onChange` soon after any process changes tracks (PostgreSQL `LISTEN synesthete_catalog`,
   * which the trigger that bumps {@link version} notifies). On PGlite, where no other process
   * writes, nothing is watched.
   *
   * @returns a function that stops watching
   * @throws SynestheteError `E_CATALOG` when the listening connection cannot be opened
   */
  watch(onChange: () => void): Promise<() => Promise<void>>;
  /** Conversations' votes and handled-event keys, in the catalogue's database. */
  readonly conversations: ConversationStore;
  /** Closes the connection / database; the catalogue is unusable afterwards. Idempotent. */
  close(): Promise<void>;
}

/** A vote on a track: 👍 (or "more like this") or 👎. */
export type Vote = 'up' | 'down';

/**
 * Conversation state kept in the catalogue's database, so that every process serving the chats
 * sees the same votes and handles an event once. Every method throws SynestheteError `E_CATALOG`
 * when the database fails.
 */
export interface ConversationStore {
  /**
   * Records a vote (replacing an earlier one on the same track) and keeps only the conversation's
   * `maxVotes` most recent votes.
   *
   * @param conversation - platform-scoped conversation id, e.g. "telegram:42"
   * @param trackId - catalogue track id
   * @param vote - 'up' or 'down'
   * @param maxVotes - votes kept per conversation (integer ≥ 1)
   */
  recordVote(conversation: string, trackId: number, vote: Vote, maxVotes: number): Promise<void>;
  /** The conversation's votes, oldest first; empty lists for an unknown conversation. */
  votes(conversation: string): Promise<{ liked: number[]; disliked: number[] }>;
  /** Deletes the conversation's votes; true when there were any. */
  forget(conversation: string): Promise<boolean>;
  /**
   * Marks `key` handled for `ttlS` seconds.
   *
   * @returns true for the first caller (in any process) within the time to live, false after
   */
  claimOnce(key: string, ttlS: number): Promise<boolean>;
}
