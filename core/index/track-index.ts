/**
 * The catalogue's indexes, kept on disk beside it and rebuilt only when the catalogue changed:
 * - `tracks`: one pooled embedding per track, label = track id (recommendations); vectors of 512
 *   dimensions or more are indexed projected, with exact re-ranking on the full vectors kept in a
 *   row file on disk (core/index/projected-index.ts), unless the projection measures too low a
 *   recall on the catalogue (core/index/track-ann.ts);
 * - `windows`: every window embedding of every track (recognising a clip *as* a catalogue track);
 * - `landmarks`: the inverted index of every track's landmark fingerprint (identifying a
 *   recording of a catalogue track; core/fingerprint/).
 *
 * Files in `dir`: `tracks.hnsw`, `tracks.rows` (projected track index only), `windows.hnsw`,
 * `landmarks.bin`, and the sidecar `index.json`
 * ({@link IndexSidecar}), written last, that says what they were built from. An index is loaded
 * when the sidecar matches the catalogue (model version, dimension, number and ids of the
 * current-version tracks); otherwise — or when any file is missing, truncated or corrupt — both
 * are rebuilt from the catalogue and saved again.
 *
 * @module
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog, TrackEmbeddings, TrackFingerprint } from '../catalog/types.js';
import { LandmarkIndex, type TrackLandmarks } from '../fingerprint/landmark-index.js';
import { FINGERPRINT_VERSION } from '../fingerprint/params.js';
import { decodeFingerprint } from '../fingerprint/stored-fingerprint.js';
import { CLIP_MAP_DEFAULTS, type ClipMap, fitClipMap } from '../library/clip-map.js';
import { readClipMapFile, writeClipMapFile } from '../library/clip-map-file.js';
import { debugFailure } from '../util/debug-log.js';
import { SynestheteError } from '../util/errors.js';
import { readWholeFile } from '../util/read-whole.js';
import type { AnnItem, TunableAnnIndex } from './ann-index.js';
import { HnswIndex } from './hnsw-index.js';
import { ProjectedIndex, projects } from './projected-index.js';
import { buildTrackIndex } from './track-ann.js';
import { type WindowRun, WindowTable } from './window-table.js';

/** File names inside the index folder. */
export const INDEX_FILES = {
  tracks: 'tracks.hnsw',
  trackRows: 'tracks.rows',
  windows: 'windows.hnsw',
  landmarks: 'landmarks.bin',
  sidecar: 'index.json',
  clipMap: 'clip-map.bin',
} as const;

/**
 * Sidecar format version; bump when the layout of the files changes (2: `landmarks.bin`; 3: the
 * projected track index).
 */
const FORMAT = 3;

/** What `index.json` records about the index files beside it. */
export interface IndexSidecar {
  format: number;
  /** Model version whose embeddings were indexed. */
  modelVersion: string;
  /** Embedding dimension. */
  dim: number;
  /** Window embedding dimension (absent in older sidecars: equal to `dim`). */
  windowDim?: number;
  /** Number of current-version tracks in the catalogue at build time. */
  trackCount: number;
  /** Number of vectors in `tracks.hnsw` (tracks whose embedding had length `dim`). */
  indexedTracks: number;
  /** Number of vectors in `windows.hnsw`. */
  windowCount: number;
  /** sha1 (hex) of the current-version track ids, comma-joined in ascending order. */
  idsChecksum: string;
  /** ISO 8601 build time. */
  builtAt: string;
  /** Window label runs `[trackId, windowCount]` in label order (see {@link WindowTable}). */
  windowTable: WindowRun[];
  /** Fingerprint version of `landmarks.bin`. */
  fingerprintVersion: number;
  /** Tracks with a fingerprint of that version in `landmarks.bin`. */
  fingerprintedTracks: number;
  /** The catalogue's version (Catalog.version) read before the build, when the builder knew it. */
  catalogVersion?: number;
  /**
   * Query-time ef of `tracks.hnsw`, chosen from measured recall at build time
   * (core/index/ef-calibration.ts); absent in older sidecars (the default then).
   */
  tracksEf?: number;
  /** Recall@5 measured at `tracksEf` (null: a catalogue too small to need measuring). */
  tracksRecall?: number | null;
  /** Candidates re-ranked on the full vectors by the projected track index, chosen with `tracksEf`. */
  tracksRerankDepth?: number;
  /**
   * When the track index is projected: the dimension of `tracks.hnsw`'s vectors and the
   * projection's seed (the full vectors are in `tracks.rows`).
   */
  projection?: { dim: number; seed: number };
}

/** A window that matched a query: which track, which window of it, how similar. */
export interface WindowHit {
  trackId: number;
  /** 0-based window number within the track. */
  windowIndex: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/** Search over every window of every track. */
export interface WindowIndex {
  /** Number of windows indexed. */
  readonly size: number;
  /**
   * The `k` windows most similar to `vector`, best first (several may belong to one track).
   *
   * @throws SynestheteError `E_INTERNAL` when `vector.length` is not the index dimension
   */
  query(vector: Float32Array, k: number): WindowHit[];
}

/** The loaded (or freshly built) indexes of a catalogue. */
export interface TrackIndexes {
  /** Pooled track embeddings; label = track id. */
  tracks: TunableAnnIndex;
  /** Every window embedding, for identifying a clip. */
  windows: WindowIndex;
  /**
   * Every fingerprinted track's landmark hashes, for identifying a recording (empty when no
   * track has a fingerprint of the current version).
   */
  landmarks: LandmarkIndex;
  /** True when the indexes were rebuilt from the catalogue rather than loaded. */
  rebuilt: boolean;
  /** False when a rebuilt index could not be saved (it still works, but will be rebuilt next time). */
  persisted: boolean;
  /**
   * The library's clip map (core/library/clip-map.ts), fitted on the catalogue's voice-note views;
   * absent when fewer than `CLIP_MAP_DEFAULTS.minPairs` tracks have one.
   */
  clipMap?: ClipMap;
}

/** Options of {@link ensureTrackIndexes}. */
export interface TrackIndexOptions {
  /** Folder for the index files (see `indexDirFor`); created if missing. */
  dir: string;
  /** Current model version (metadata.json); only tracks embedded by it are indexed. */
  modelVersion: string;
  /** Dimension of the tracks' (pooled) embeddings. */
  dim: number;
  /** Dimension of the window embeddings, when it differs from `dim` (e.g. fused track vectors). */
  windowDim?: number;
  /**
   * The catalogue's version read before this call (Catalog.version): saved files are loaded only
   * when they were built at that version, and a rebuild records it. Without it, files are matched
   * on the ids of the tracks alone (a track re-embedded in place then goes unnoticed).
   */
  catalogVersion?: number;
  /**
   * The index files as {@link preloadTrackIndexes} read them before the catalogue was open: used
   * instead of reading the files again when they match the catalogue as `dir`'s files must.
   */
  preloaded?: Promise<PreloadedIndexes | undefined>;
}

/** Index files read ahead of the catalogue (see {@link preloadTrackIndexes}). */
export interface PreloadedIndexes {
  /** The folder they were read from. */
  readonly dir: string;
  readonly sidecar: IndexSidecar;
  readonly indexes: TrackIndexes;
  /** The clip map saved for the sidecar's catalogue version, when there is one. */
  readonly clipMap?: ClipMap;
}

const inFlight = new Map<string, Promise<TrackIndexes>>();

/**
 * Loads the catalogue's indexes from `dir` when they match the catalogue, else rebuilds and saves
 * them. Never fails because of the index files themselves: a missing, truncated or corrupt file
 * just means a rebuild. Tracks whose embedding (or window embeddings) do not have length `dim`
 * are left out of the index. Concurrent calls for the same folder share one build.
 *
 * @example
 * ```ts
 * const indexes = await ensureTrackIndexes(catalog, { dir: indexDirFor(catalog), modelVersion, dim });
 * const hits = indexes.tracks.query(clipEmbedding, 5);
 * ```
 * @param catalog - the catalogue to index
 * @param options - folder, model version and dimension
 * @returns both indexes and whether they were rebuilt
 * @throws SynestheteError `E_CATALOG` when the catalogue cannot be read; `E_INTERNAL` for an
 *   invalid `dim`
 */
export function ensureTrackIndexes(
  catalog: Catalog,
  options: TrackIndexOptions,
): Promise<TrackIndexes> {
  const key = JSON.stringify([
    options.dir,
    options.modelVersion,
    options.dim,
    options.windowDim,
    options.catalogVersion,
  ]);
  const pending = inFlight.get(key);
  if (pending !== undefined) return pending;
  const run = ensure(catalog, options).finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return run;
}

/**
 * Deletes the index files in `dir` so that the next {@link ensureTrackIndexes} rebuilds. Call it
 * after ingest: re-embedding a track in place (same id, same model version) is not visible in the
 * sidecar's id checksum. Missing files are fine.
 *
 * @param dir - the index folder
 */
export async function invalidateTrackIndexes(dir: string): Promise<void> {
  // The sidecar goes first: without it the other files are never trusted.
  await rm(join(dir, INDEX_FILES.sidecar), { force: true });
  await rm(join(dir, INDEX_FILES.tracks), { force: true });
  await rm(join(dir, INDEX_FILES.trackRows), { force: true });
  await rm(join(dir, INDEX_FILES.windows), { force: true });
  await rm(join(dir, INDEX_FILES.landmarks), { force: true });
  await rm(join(dir, INDEX_FILES.clipMap), { force: true });
}

async function ensure(catalog: Catalog, options: TrackIndexOptions): Promise<TrackIndexes> {
  const { dir, modelVersion, dim, catalogVersion } = options;
  const windowDim = options.windowDim ?? dim;
  for (const d of [dim, windowDim]) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new SynestheteError('E_INTERNAL', `internal error: index dimension ${d} is invalid`);
    }
  }
  const ids = await catalog.embeddingIds(modelVersion);
  const preloaded = await options.preloaded;
  const early =
    preloaded?.dir === dir && matchesCatalog(preloaded.sidecar, ids, catalogVersion)
      ? preloaded
      : undefined;
  if (early) {
    const clipMap =
      early.clipMap && catalogVersion !== undefined
        ? early.clipMap
        : await clipMapOf(catalog, dir, modelVersion, dim, catalogVersion);
    return clipMap ? { ...early.indexes, clipMap } : early.indexes;
  }
  const indexes =
    (await tryLoad(dir, modelVersion, dim, windowDim, ids, catalogVersion)) ??
    (await rebuild(
      dir,
      modelVersion,
      dim,
      windowDim,
      await catalog.embeddings(modelVersion),
      await catalog.fingerprints(modelVersion),
      catalogVersion,
    ));
  const clipMap = await clipMapOf(catalog, dir, modelVersion, dim, catalogVersion);
  return clipMap ? { ...indexes, clipMap } : indexes;
}

/**
 * The library's clip map: read from `clip-map.bin` when it was fitted at this catalogue version,
 * else fitted on the catalogue's voice-note views and saved there. Without a catalogue version
 * nothing says whether a saved map is current, so it is fitted.
 */
async function clipMapOf(
  catalog: Catalog,
  dir: string,
  modelVersion: string,
  dim: number,
  catalogVersion: number | undefined,
): Promise<ClipMap | undefined> {
  const file = join(dir, INDEX_FILES.clipMap);
  const key = clipMapKey(catalogVersion, modelVersion, dim);
  if (key !== undefined) {
    const saved = await readClipMapFile(file, key);
    if (saved) return saved.map;
  }
  const map = fitClipMap(await catalog.clipViews(modelVersion, CLIP_MAP_DEFAULTS.maxPairs), dim);
  if (key !== undefined) {
    // Not fatal: the map works, it is only fitted again next time.
    await writeClipMapFile(file, key, map).catch((error: unknown) =>
      debugFailure(`saving the clip map ${file}`, error),
    );
  }
  return map;
}

/** What names a saved clip map: the catalogue version, model and dimension it was fitted for. */
function clipMapKey(
  catalogVersion: number | undefined,
  modelVersion: string,
  dim: number,
): string | undefined {
  return catalogVersion === undefined
    ? undefined
    : JSON.stringify({ catalogVersion, modelVersion, dim, ...CLIP_MAP_DEFAULTS });
}

/**
 * Reads `dir`'s index files before the catalogue is open — while it opens — so that
 * {@link ensureTrackIndexes}, given the result as `preloaded`, need not read them again once it
 * has checked them against the catalogue. Nothing is checked against the catalogue here.
 *
 * @param options - folder, model version and dimensions, as for {@link ensureTrackIndexes}
 * @returns the files, or undefined when they are missing, damaged, or of another model,
 *   dimension or format (never throws)
 */
export async function preloadTrackIndexes(
  options: Pick<TrackIndexOptions, 'dir' | 'modelVersion' | 'dim' | 'windowDim'>,
): Promise<PreloadedIndexes | undefined> {
  const { dir, modelVersion, dim } = options;
  try {
    const sidecar = parseSidecar(await readFile(join(dir, INDEX_FILES.sidecar), 'utf8'));
    const indexes = await loadFiles(dir, sidecar, modelVersion, dim, options.windowDim ?? dim);
    if (!indexes) return undefined;
    const key = clipMapKey(sidecar.catalogVersion, modelVersion, dim);
    const saved =
      key === undefined ? undefined : await readClipMapFile(join(dir, INDEX_FILES.clipMap), key);
    return { dir, sidecar, indexes, ...(saved?.map ? { clipMap: saved.map } : {}) };
  } catch (error) {
    debugFailure(`reading the index files in ${dir} ahead`, error);
    return undefined;
  }
}

/** Whether a sidecar was written for these current-version track ids at this catalogue version. */
function matchesCatalog(
  sidecar: IndexSidecar,
  ids: readonly number[],
  catalogVersion: number | undefined,
): boolean {
  return (
    sidecar.trackCount === ids.length &&
    sidecar.idsChecksum === idsChecksum(ids) &&
    (catalogVersion === undefined || sidecar.catalogVersion === catalogVersion)
  );
}

/** The saved indexes when the sidecar matches `ids`, else undefined (never throws). */
async function tryLoad(
  dir: string,
  modelVersion: string,
  dim: number,
  windowDim: number,
  ids: readonly number[],
  catalogVersion: number | undefined,
): Promise<TrackIndexes | undefined> {
  try {
    const sidecar = parseSidecar(await readFile(join(dir, INDEX_FILES.sidecar), 'utf8'));
    if (!matchesCatalog(sidecar, ids, catalogVersion)) return undefined;
    return await loadFiles(dir, sidecar, modelVersion, dim, windowDim);
  } catch {
    return undefined;
  }
}

/**
 * The index files described by `sidecar`, when it is of this format, model, dimensions and
 * fingerprint version and the files agree with it; else undefined.
 *
 * @throws Error for a missing or damaged file
 */
async function loadFiles(
  dir: string,
  sidecar: IndexSidecar,
  modelVersion: string,
  dim: number,
  windowDim: number,
): Promise<TrackIndexes | undefined> {
  if (
    sidecar.format !== FORMAT ||
    sidecar.modelVersion !== modelVersion ||
    sidecar.dim !== dim ||
    (sidecar.windowDim ?? sidecar.dim) !== windowDim ||
    sidecar.fingerprintVersion !== FINGERPRINT_VERSION
  ) {
    return undefined;
  }
  const table = new WindowTable(sidecar.windowTable);
  if (sidecar.projection !== undefined && !projects(dim)) return undefined;
  const tracks = sidecar.projection
    ? ProjectedIndex.load(
        join(dir, INDEX_FILES.tracks),
        join(dir, INDEX_FILES.trackRows),
        dim,
        sidecar.projection.dim,
        sidecar.projection.seed,
      )
    : HnswIndex.load(join(dir, INDEX_FILES.tracks), dim);
  if (sidecar.tracksEf !== undefined) tracks.searchEf = sidecar.tracksEf;
  if (tracks instanceof ProjectedIndex && sidecar.tracksRerankDepth !== undefined) {
    tracks.rerankDepth = sidecar.tracksRerankDepth;
  }
  const windows = HnswIndex.load(join(dir, INDEX_FILES.windows), windowDim);
  const landmarks = LandmarkIndex.fromBytes(await readWholeFile(join(dir, INDEX_FILES.landmarks)));
  if (
    landmarks.version !== FINGERPRINT_VERSION ||
    landmarks.trackCount !== sidecar.fingerprintedTracks ||
    tracks.size !== sidecar.indexedTracks ||
    windows.size !== sidecar.windowCount ||
    table.size !== sidecar.windowCount
  ) {
    return undefined;
  }
  return {
    tracks,
    windows: windowIndex(windows, table),
    landmarks,
    rebuilt: false,
    persisted: true,
  };
}

/** Builds both indexes from the catalogue's embeddings and saves them (best effort). */
async function rebuild(
  dir: string,
  modelVersion: string,
  dim: number,
  windowDim: number,
  rows: readonly TrackEmbeddings[],
  fingerprints: readonly TrackFingerprint[],
  catalogVersion: number | undefined,
): Promise<TrackIndexes> {
  const trackItems: AnnItem[] = [];
  const windowItems: AnnItem[] = [];
  const runs: WindowRun[] = [];
  for (const row of rows) {
    if (row.embedding.length === dim) trackItems.push({ label: row.id, vector: row.embedding });
    const flat = row.windowEmbeddings;
    if (flat === null || row.windowCount <= 0 || flat.length !== row.windowCount * windowDim)
      continue;
    for (let w = 0; w < row.windowCount; w++) {
      windowItems.push({
        label: windowItems.length,
        vector: flat.subarray(w * windowDim, (w + 1) * windowDim),
      });
    }
    runs.push([row.id, row.windowCount]);
  }
  const { index: tracks, calibration } = buildTrackIndex(trackItems, dim);
  const windows = HnswIndex.build(windowItems, windowDim);
  const table = new WindowTable(runs);
  // Fingerprints of another version (or damaged) are left out: those tracks are not identifiable
  // by fingerprint until they are ingested again.
  const landmarkTracks = fingerprints.flatMap((f): TrackLandmarks[] => {
    const decoded = decodeFingerprint(f.fingerprint);
    return decoded ? [{ trackId: f.id, ...decoded }] : [];
  });
  const landmarks = LandmarkIndex.build(landmarkTracks, FINGERPRINT_VERSION);
  const sidecar: IndexSidecar = {
    format: FORMAT,
    modelVersion,
    dim,
    windowDim,
    trackCount: rows.length,
    indexedTracks: tracks.size,
    windowCount: windows.size,
    idsChecksum: idsChecksum(rows.map((row) => row.id)),
    builtAt: new Date().toISOString(),
    windowTable: runs,
    fingerprintVersion: FINGERPRINT_VERSION,
    fingerprintedTracks: landmarks.trackCount,
    ...(catalogVersion === undefined ? {} : { catalogVersion }),
    tracksEf: calibration.ef,
    tracksRecall: calibration.recall,
    ...(calibration.depth === undefined ? {} : { tracksRerankDepth: calibration.depth }),
    ...(tracks instanceof ProjectedIndex
      ? { projection: { dim: tracks.projection.outputDim, seed: tracks.projection.seed } }
      : {}),
  };
  const persisted = await save(dir, tracks, windows, landmarks, sidecar);
  return { tracks, windows: windowIndex(windows, table), landmarks, rebuilt: true, persisted };
}

/** Writes index files, then the sidecar; on failure removes the sidecar and returns false. */
async function save(
  dir: string,
  tracks: HnswIndex | ProjectedIndex,
  windows: HnswIndex,
  landmarks: LandmarkIndex,
  sidecar: IndexSidecar,
): Promise<boolean> {
  const sidecarPath = join(dir, INDEX_FILES.sidecar);
  try {
    await mkdir(dir, { recursive: true });
    await rm(sidecarPath, { force: true });
    if (tracks instanceof ProjectedIndex) {
      tracks.save(join(dir, INDEX_FILES.tracks), join(dir, INDEX_FILES.trackRows));
    } else {
      tracks.save(join(dir, INDEX_FILES.tracks));
    }
    windows.save(join(dir, INDEX_FILES.windows));
    // Each file appears whole (temporary file, then rename): another process on the same folder
    // may be loading them.
    const landmarksTmp = `${join(dir, INDEX_FILES.landmarks)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    await writeFile(landmarksTmp, landmarks.toBytes());
    await rename(landmarksTmp, join(dir, INDEX_FILES.landmarks));
    const tmp = `${sidecarPath}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    await writeFile(tmp, `${JSON.stringify(sidecar)}\n`);
    await rename(tmp, sidecarPath);
    return true;
  } catch {
    await rm(sidecarPath, { force: true }).catch(() => {});
    return false;
  }
}

function windowIndex(index: HnswIndex, table: WindowTable): WindowIndex {
  return {
    get size() {
      return index.size;
    },
    query(vector: Float32Array, k: number): WindowHit[] {
      return index.query(vector, k).flatMap(({ label, similarity }) => {
        const at = table.lookup(label);
        return at === undefined ? [] : [{ ...at, similarity }];
      });
    },
  };
}

/** sha1 hex of the ids, comma-joined (ids ascending, as the catalogue returns them). */
function idsChecksum(ids: readonly number[]): string {
  return createHash('sha1').update(ids.join(',')).digest('hex');
}

/** Parses and shape-checks a sidecar; throws on anything unexpected. */
function parseSidecar(text: string): IndexSidecar {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('sidecar is not an object');
  const s = value as Record<string, unknown>;
  const int = (key: string): number => {
    const v = s[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`bad ${key}`);
    return v;
  };
  const str = (key: string): string => {
    const v = s[key];
    if (typeof v !== 'string') throw new Error(`bad ${key}`);
    return v;
  };
  const table = s.windowTable;
  if (!Array.isArray(table)) throw new Error('bad windowTable');
  const runs = table.map((run): WindowRun => {
    if (!Array.isArray(run) || run.length !== 2) throw new Error('bad windowTable run');
    return [Number(run[0]), Number(run[1])];
  });
  return {
    format: int('format'),
    modelVersion: str('modelVersion'),
    dim: int('dim'),
    ...(s.windowDim === undefined ? {} : { windowDim: int('windowDim') }),
    trackCount: int('trackCount'),
    indexedTracks: int('indexedTracks'),
    windowCount: int('windowCount'),
    idsChecksum: str('idsChecksum'),
    builtAt: str('builtAt'),
    windowTable: runs,
    fingerprintVersion: int('fingerprintVersion'),
    fingerprintedTracks: int('fingerprintedTracks'),
    ...(s.catalogVersion === undefined ? {} : { catalogVersion: int('catalogVersion') }),
    ...(s.tracksEf === undefined ? {} : { tracksEf: Math.max(1, int('tracksEf')) }),
    ...(typeof s.tracksRecall === 'number' ? { tracksRecall: s.tracksRecall } : {}),
    ...(s.tracksRerankDepth === undefined
      ? {}
      : { tracksRerankDepth: Math.max(1, int('tracksRerankDepth')) }),
    ...(s.projection === undefined ? {} : { projection: parseProjection(s.projection) }),
  };
}

/** Shape-checks the sidecar's `projection`; throws on anything unexpected. */
function parseProjection(value: unknown): { dim: number; seed: number } {
  const p = value as Record<string, unknown> | null;
  const dim = p?.dim;
  const seed = p?.seed;
  if (
    typeof dim !== 'number' ||
    !Number.isInteger(dim) ||
    dim < 1 ||
    typeof seed !== 'number' ||
    !Number.isInteger(seed) ||
    seed < 0
  ) {
    throw new Error('bad projection');
  }
  return { dim, seed };
}
