/**
 * The one entry point adapters and the CLI call: open the engine (model + catalogue + indexes),
 * then recommend for a clip, find neighbours of a catalogue track, or ingest music.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Analysis, type AnalyzeOptions, analyzeAudio } from '../analysis/analyze.js';
import { prestartDecodeThread } from '../audio/decode-threads.js';
import type { PcmAudio } from '../audio/pcm-input.js';
import { type MusicVerdict, NOT_MUSIC_MESSAGE } from '../model/music-gate.js';

export { NOT_MUSIC_MESSAGE };

import { type Catalog, openCatalog, type TrackInfo } from '../catalog/index.js';
import { parseCatalogLocation } from '../catalog/location.js';
import type { Descriptors } from '../features/descriptors.js';
import type { LogMelSpectrogram } from '../features/log-mel.js';
import { describeTrack, explainSimilarity } from '../features/reason.js';
import { parseStoredDescriptors } from '../features/stored-descriptors.js';
import type { Landmarks } from '../fingerprint/hashes.js';
import { matchLandmarks } from '../fingerprint/match.js';
import { prestartSecondCore } from '../fingerprint/off-thread.js';
import { pickLandmarkMatch } from '../fingerprint/thresholds.js';
import {
  type AnnHit,
  indexDirFor,
  invalidateTrackIndexes,
  preloadTrackIndexes,
  type TrackIndexes,
} from '../index/index.js';
import { followCatalog } from '../index/live-indexes.js';
import { type IngestOptions, type IngestSummary, ingestPaths } from '../ingest/ingest.js';
import { applyClipMap, type ClipMap } from '../library/clip-map.js';
import { type EmbeddingModel, loadEmbeddingModel } from '../model/embedder.js';
import { clipSimilarityScale, trackVectorSize } from '../model/fusion.js';
import { warmUpModel } from '../model/warm-up.js';
import { SynestheteError } from '../util/errors.js';
import { calibratedConfidence } from './calibration.js';
import { applyFeedback, type VoteVectors } from './feedback.js';
import { isEmptyFilter, passesFilter, type TrackFilter } from './filters.js';
import { pickMatch, rankByAlignedWindows, rankByWindows } from './identify.js';
import { IndexScopedCache } from './scoped-cache.js';
import { closestSeed, seedCentroid } from './seeds.js';
import { TAG_NEIGHBOURS, type TagVote, voteTags } from './tags.js';
import { pickVaried, type VarietyCandidate, type VarietyOptions } from './variety.js';

export type { TrackFilter } from './filters.js';
export type { TagShare, TagVote } from './tags.js';
export type { VarietyOptions } from './variety.js';

/**
 * The best identification candidate of a ranked list, even below the match thresholds: its score
 * and lead over the second (what identification top-1 is measured on).
 */
function candidateOf(
  ranked: readonly { trackId: number; score: number }[],
  method: 'fingerprint' | 'windows',
) {
  const [first, second] = ranked;
  return first
    ? {
        trackId: first.trackId,
        score: first.score,
        margin: first.score - (second?.score ?? 0),
        method,
      }
    : undefined;
}

/** A catalogue track as results show it. */
export interface TrackSummary {
  readonly trackId: number;
  readonly title: string | null;
  readonly artist: string | null;
  readonly album: string | null;
  readonly durationS: number | null;
  readonly sourcePath: string;
  /** The track's own genre tag, when it has one. */
  readonly genre?: string | null;
}

/** One of the recommended tracks. */
export interface RecommendedTrack extends TrackSummary {
  /** 1-based rank. */
  readonly rank: number;
  /** Cosine similarity of the embeddings, in [-1, 1]. */
  readonly similarity: number;
  /** Calibrated probability (0..1) that the track is of the clip's kind (see metadata.json). */
  readonly confidence: number;
  /** One line: what the two share (tempo, key, timbre). */
  readonly reason: string;
  /** Genre voted by the track's own nearest catalogue neighbours (see core/recommend/tags.ts). */
  readonly tags?: TagVote;
  /** Answers to several seeds: the 0-based index of the seed this track is closest to. */
  readonly closestSeed?: number;
}

/**
 * How a result list is chosen beyond the nearest k: variety rules, filters, and whether to vote
 * tags. Every field optional.
 */
export interface ListOptions {
  /** Versions, artists and albums (defaults: core/recommend/variety.ts `DEFAULT_VARIETY`). */
  readonly variety?: VarietyOptions;
  /** Genre and duration conditions on the results. */
  readonly filter?: TrackFilter;
  /** Vote genre tags for the query and each result (default true). */
  readonly tags?: boolean;
}

/** The catalogue track a clip was identified as. */
export interface MatchedTrack extends TrackSummary {
  /**
   * Strength of the match in [0, 1]: for a fingerprint match the share of the clip's landmark
   * hashes that agree on one time offset in the track (core/fingerprint/match.ts); for a
   * window match the window-match score (core/recommend/identify.ts).
   */
  readonly score: number;
  /**
   * How the track was recognised: its landmark fingerprint (core/fingerprint/), or, for a track
   * stored without a fingerprint, its CNN window embeddings. Always set by the engine.
   */
  readonly method?: 'fingerprint' | 'windows';
  /** Fingerprint matches: where the clip starts in the track, seconds. */
  readonly offsetS?: number;
  /** Fingerprint matches: landmark hashes agreeing on that offset. */
  readonly hashes?: number;
}

/** Answer for one clip. */
export interface Recommendation {
  /** Set when the clip is itself a catalogue track; that track is then not among the results. */
  readonly match?: MatchedTrack;
  /**
   * The best identification candidate even when it did not pass the match thresholds (what
   * identification top-1 is measured on): track id, score and lead over the second candidate —
   * landmark hashes agreeing on an offset when fingerprints found one, else the window-match
   * score in [-1, 1] (`method` says which).
   */
  readonly candidate?: {
    readonly trackId: number;
    readonly score: number;
    readonly margin: number;
    readonly method: 'fingerprint' | 'windows';
  };
  /** Empty when the clip is not music (see `music`). */
  readonly recommendations: readonly RecommendedTrack[];
  /** Genre of the clip voted by its nearest catalogue tracks (absent when not voted). */
  readonly tags?: TagVote;
  /**
   * The catalogue-space vector the results were searched with (the identified track's, else the
   * clip's), and the identified track: what a chat keeps to use the clip as a seed of a set later.
   * Absent when the clip is not music.
   */
  readonly seed?: { readonly vector: Float32Array; readonly trackId?: number };
  /**
   * The music gate's verdict; when `isMusic` is false nothing was searched and the answer is
   * {@link NOT_MUSIC_MESSAGE}. Absent when the model has no gate.
   */
  readonly music?: MusicVerdict;
  readonly query: {
    readonly sourceDurationS: number;
    readonly analysedS: number;
    readonly descriptors: Descriptors;
    /** e.g. "128 BPM · A minor · bright". */
    readonly summary: string;
    /** What the model saw first: the log-mel spectrogram of the first analysed segment. */
    readonly spectrogram: LogMelSpectrogram;
  };
}

/**
 * A conversation's votes on earlier results, applied to the next query by Rocchio's relevance
 * feedback (see core/recommend/feedback.ts). Track ids of the catalogue.
 */
export interface FeedbackVotes {
  /** Tracks marked 👍 or "more like this". */
  readonly liked: readonly number[];
  /** Tracks marked 👎; they are also left out of the results. */
  readonly disliked: readonly number[];
}

/** Neighbours of a catalogue track. */
export interface SimilarTracks {
  readonly track: TrackSummary;
  readonly recommendations: readonly RecommendedTrack[];
  /** Genre of the track voted by its nearest neighbours (absent when not voted). */
  readonly tags?: TagVote;
}

/** One seed of a set: a catalogue track, or a clip and what it was identified as. */
export interface SeedSummary {
  /** The catalogue track (a `similar` seed, or the track a clip was identified as). */
  readonly track?: TrackSummary;
  /** The clip's path or name, for clip seeds. */
  readonly clip?: string;
}

/** Tracks for a set of seeds as a whole (none of the seeds among them). */
export interface SeedSetAnswer {
  /** The seeds in the order given; `closestSeed` of each result indexes this list. */
  readonly seeds: readonly SeedSummary[];
  readonly recommendations: readonly RecommendedTrack[];
  /** Genre of the set voted by the catalogue tracks nearest its combined vector. */
  readonly tags?: TagVote;
}

/**
 * A seed of a set: a catalogue track id or ingested path, a clip (path, bytes or PCM), or the
 * catalogue-space vector a chat kept from an earlier answer (see `Recommendation.seed`).
 */
export type SeedInput =
  | { readonly track: number | string }
  | { readonly clip: string | Uint8Array | PcmAudio; readonly name?: string }
  | { readonly vector: Float32Array; readonly trackId?: number; readonly name?: string };

/** Where the engine's parts come from. */
export interface EngineOptions {
  /** Catalogue: directory (PGlite) or postgres:// URL; default DATABASE_URL, then data/catalog. */
  readonly catalog?: string;
  /** Model directory; default models/synesthete-cnn (or SYNESTHETE_MODEL_DIR). */
  readonly modelDir?: string;
  /** Folder of the index files; default SYNESTHETE_INDEX_DIR, then see core/index/index-dir.ts. */
  readonly indexDir?: string;
  /**
   * How often to look for tracks other processes changed, ms (0: never); default
   * SYNESTHETE_CATALOG_POLL_MS, else 2,000 on PostgreSQL and 0 on PGlite (one process at a time).
   */
  readonly followMs?: number;
  /** Where to tell that the indexes followed a catalogue change (default: nowhere). */
  readonly log?: (line: string) => void;
  /**
   * Start a decode thread and the second core's worker at once, so that their modules load while
   * the model and the catalogue open, and meanwhile read the saved index files and run the CNN
   * once on a made-up batch (core/model/warm-up.ts) (default false): for a process about to answer
   * clips (the CLI's `recommend`, the chat bots), not for one that only ingests or lists.
   */
  readonly prestart?: boolean;
  /**
   * The path of the clip the caller will pass to `recommend` first (the CLI's `recommend`): it is
   * decoded and analysed as soon as the model is loaded, while the catalogue opens, instead of
   * after (default: none). Its errors are reported by that `recommend` call, after an empty
   * catalogue's, as always.
   */
  readonly firstClip?: string;
}

/** The recommender. */
export interface Engine {
  readonly model: EmbeddingModel;
  readonly catalog: Catalog;
  /** Folder holding the ANN index files. */
  readonly indexDir: string;
  /** The loaded (built on first use) indexes. */
  indexes(): Promise<TrackIndexes>;
  /**
   * Recommends `k` tracks (default 5) for a clip: a path, a file's bytes, or mono PCM (live
   * capture; analysed without ffmpeg and without a temporary file).
   * @throws SynestheteError decode errors (E_DECODE, E_INPUT_*), E_EMPTY_CATALOG
   */
  recommend(
    input: string | Uint8Array | PcmAudio,
    options?: {
      k?: number;
      analyze?: AnalyzeOptions;
      /** Search even when the music gate says the clip is not music. */
      skipMusicCheck?: boolean;
      /** This conversation's votes: the query moves toward liked and away from disliked tracks. */
      feedback?: FeedbackVotes;
      /**
       * Catalogue track ids treated as absent: neither identified nor recommended (evaluation of
       * a clip whose song is not in the catalogue).
       */
      absent?: readonly number[];
      /**
       * The clip map to move an unidentified clip with, instead of the one fitted on the
       * catalogue's voice-note views (core/library/clip-map.ts); null: none (evaluation).
       */
      clipMap?: ClipMap | null;
    } & ListOptions,
  ): Promise<Recommendation>;
  /**
   * Neighbours of a catalogue track given by id or by the path it was ingested from.
   * @throws SynestheteError E_NOT_FOUND when no such track, E_EMPTY_CATALOG
   */
  similar(
    ref: number | string,
    options?: {
      k?: number;
      feedback?: FeedbackVotes;
      /** Catalogue track ids left out of the results (evaluation: same-artist tracks). */
      absent?: readonly number[];
    } & ListOptions,
  ): Promise<SimilarTracks>;
  /**
   * Recommends `k` tracks (default 5) for several seeds as a whole: the centroid of their
   * catalogue-space vectors (a clip identified as a catalogue track counts as that track) is
   * searched, the seeds themselves are left out, and each result names the seed it is closest to.
   * A clip the music gate takes for not-music is skipped unless `skipMusicCheck`.
   * @throws SynestheteError E_NOT_FOUND for an unknown track seed or when no seed is usable (every
   *   clip taken for not-music), decode errors of a clip seed, E_EMPTY_CATALOG
   */
  recommendSet(
    seeds: readonly SeedInput[],
    options?: {
      k?: number;
      feedback?: FeedbackVotes;
      analyze?: AnalyzeOptions;
      skipMusicCheck?: boolean;
    } & ListOptions,
  ): Promise<SeedSetAnswer>;
  /** Ingests files and folders, then refreshes the indexes. */
  ingest(inputs: readonly string[], options?: IngestOptions): Promise<IngestSummary>;
  close(): Promise<void>;
}

/** Extra neighbours fetched so that exclusions and duplicate files still leave k results. */
const DUPLICATE_SLACK = 5;

/** Candidates per result beyond the k nearest, for the variety rules and filters to choose from. */
const VARIETY_SLACK = 4;

/** Track vectors kept in memory for the variety rules and tag votes (~5 KB each). */
const VECTOR_CACHE_SIZE = 4096;

/** Tracks' catalogue facts kept in memory for the results and tag votes (~1 KB each). */
const INFO_CACHE_SIZE = 4096;

function summary(t: TrackInfo): TrackSummary {
  return {
    trackId: t.id,
    title: t.title,
    artist: t.artist,
    album: t.album,
    durationS: t.durationS,
    sourcePath: t.sourcePath,
    genre: t.genre,
  };
}

/**
 * Opens the engine: loads the model and the catalogue (indexes are loaded lazily).
 *
 * @throws SynestheteError E_MODEL, E_CATALOG
 */
export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  if (options.prestart === true) {
    prestartDecodeThread();
    prestartSecondCore();
  }
  // Both at once: tfjs compiles its WebAssembly while PGlite starts its own (cold start).
  // A process about to answer clips also reads the saved index files meanwhile: they are checked
  // against the catalogue once it is open, and read again only if they do not match it.
  const target = parseCatalogLocation(options.catalog);
  const aheadDir =
    options.prestart === true && target.display !== 'memory://'
      ? indexDirFor({ kind: target.kind, location: target.display }, options.indexDir)
      : undefined;
  const modelLoading = loadEmbeddingModel(options.modelDir).then((loaded) => {
    // The first clip's own analysis (below) runs the CNN's first forward pass instead.
    if (options.prestart === true && options.firstClip === undefined) warmUpModel(loaded);
    return loaded;
  });
  const preloaded =
    aheadDir === undefined
      ? undefined
      : modelLoading.then(
          (m) =>
            preloadTrackIndexes({
              dir: aheadDir,
              modelVersion: m.metadata.version,
              dim: trackVectorSize(m.architecture.embeddingSize, m.metadata.fusion),
              windowDim: m.architecture.embeddingSize,
            }),
          () => undefined,
        );
  // The first clip needs the model, not the catalogue: its decode and analysis fill the time
  // the catalogue takes to open (PGlite's start).
  const firstClip = options.firstClip;
  let early: { input: string; analysis: Promise<Analysis> } | undefined =
    firstClip === undefined
      ? undefined
      : {
          input: firstClip,
          analysis: modelLoading.then((m) =>
            analyzeAudio(firstClip, m, { query: true, fingerprint: true }),
          ),
        };
  early?.analysis.catch(() => undefined); // reported by the recommend call that takes it
  const [modelLoad, catalogOpen] = await Promise.allSettled([
    modelLoading,
    openCatalog(options.catalog),
  ]);
  if (modelLoad.status === 'rejected' || catalogOpen.status === 'rejected') {
    if (modelLoad.status === 'fulfilled') modelLoad.value.dispose();
    if (catalogOpen.status === 'fulfilled') await catalogOpen.value.close();
    throw modelLoad.status === 'rejected'
      ? modelLoad.reason
      : (catalogOpen as PromiseRejectedResult).reason;
  }
  const model = modelLoad.value;
  const catalog = catalogOpen.value;
  const indexDir = indexDirFor(catalog, options.indexDir);
  const { metadata } = model;
  const dim = model.architecture.embeddingSize;
  // The indexes follow the catalogue: tracks other processes add or remove appear without a restart.
  const live = followCatalog(catalog, {
    dir: indexDir,
    modelVersion: metadata.version,
    dim: trackVectorSize(dim, metadata.fusion),
    windowDim: dim,
    pollMs: options.followMs ?? defaultFollowMs(catalog.kind),
    ...(preloaded ? { preloaded } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const indexes = (): Promise<TrackIndexes> => live.current();

  const usableIndexes = async (): Promise<TrackIndexes> => {
    const idx = await indexes();
    if (idx.tracks.size === 0) {
      const { stale } = await catalog.countByModelVersion(metadata.version);
      throw new SynestheteError(
        'E_EMPTY_CATALOG',
        stale > 0
          ? `the catalogue's ${stale} tracks were analysed by another model version: run \`synesthete ingest --force <folder>\``
          : 'the catalogue is empty: add music with `synesthete ingest <folder>` first',
      );
    }
    return idx;
  };

  const vectorCache = new IndexScopedCache<Float32Array>(VECTOR_CACHE_SIZE);
  /** Catalogue vectors of these tracks (tracks gone or of another model are left out). */
  const vectorsOf = async (ids: readonly number[]): Promise<Map<number, Float32Array>> => {
    if (ids.length === 0) return new Map();
    return vectorCache.get(ids, await indexes(), (missing) =>
      catalog.trackVectors(missing, metadata.version),
    );
  };

  const infoCache = new IndexScopedCache<TrackInfo>(INFO_CACHE_SIZE);
  /** Catalogue facts of these tracks, in the order of `ids` (tracks gone are left out). */
  const infosOf = async (ids: readonly number[]): Promise<TrackInfo[]> => {
    if (ids.length === 0) return [];
    const infos = await infoCache.get(
      ids,
      await indexes(),
      async (missing) => new Map((await catalog.getTrackInfos(missing)).map((t) => [t.id, t])),
    );
    return [...infos.values()];
  };

  /**
   * Genre votes of several vectors at once: each one's TAG_NEIGHBOURS nearest catalogue tracks
   * (its own track and `skip` left out) vote, weighted by similarity (core/recommend/tags.ts).
   */
  const voteMany = async (
    queries: readonly { vector: Float32Array; skip: ReadonlySet<number> }[],
  ): Promise<TagVote[]> => {
    const idx = await usableIndexes();
    const hitLists = queries.map((q) =>
      idx.tracks
        .query(q.vector, TAG_NEIGHBOURS + q.skip.size)
        .filter((h) => !q.skip.has(h.label))
        .slice(0, TAG_NEIGHBOURS),
    );
    const infos = await infosOf([...new Set(hitLists.flat().map((h) => h.label))]);
    const genreOf = new Map(infos.map((t) => [t.id, t.genre]));
    return hitLists.map((hits) =>
      voteTags(
        hits.map((h) => ({ genre: genreOf.get(h.label) ?? null, similarity: h.similarity })),
      ),
    );
  };

  /**
   * Nearest tracks to an embedding, best first: excluded ids and content hashes are skipped, a
   * file present twice (same bytes under two paths) is listed once, tracks failing the filter
   * are left out, and the variety rules (core/recommend/variety.ts) pick k of the rest. With
   * `seeds`, each result names the seed vector it is closest to. Tags are voted for the query
   * (from the same neighbours) and for each result.
   */
  const rank = async (
    embedding: Float32Array,
    descriptors: Descriptors | null,
    k: number,
    exclude: { ids: ReadonlySet<number>; hashes: ReadonlySet<string> },
    similarityScale = 1,
    list: ListOptions & {
      seeds?: readonly Float32Array[];
      about?: readonly VarietyCandidate[];
    } = {},
  ): Promise<{ results: RecommendedTrack[]; tags?: TagVote }> => {
    const idx = await usableIndexes();
    const filtering = !isEmptyFilter(list.filter);
    // Room for what the variety rules and filters leave out; widened when a filter is strict.
    let pool = k + exclude.ids.size + DUPLICATE_SLACK + VARIETY_SLACK * k;
    let candidates: { hit: AnnHit; track: TrackInfo }[] = [];
    let hits: AnnHit[] = [];
    for (;;) {
      hits = idx.tracks.query(embedding, pool);
      const tracks = await infosOf(hits.map((h) => h.label));
      const byId = new Map(tracks.map((t) => [t.id, t]));
      const seen = new Set(exclude.hashes);
      candidates = [];
      for (const hit of hits) {
        const t = byId.get(hit.label);
        if (!t || exclude.ids.has(t.id) || seen.has(t.contentHash)) continue;
        seen.add(t.contentHash);
        if (filtering && !passesFilter(t, list.filter)) continue;
        candidates.push({ hit, track: t });
      }
      if (candidates.length >= k * (1 + VARIETY_SLACK) || pool >= idx.tracks.size) break;
      pool = Math.min(idx.tracks.size, pool * 4);
    }
    // Vectors where a rule or a seed needs them: fetched for the 2k nearest candidates first, and
    // for as far down the list as the picking reached when it went further (the
    // near-identical-audio rule compares every picked track with the ones before it).
    const needVectors =
      list.variety?.allowVersions !== true || (list.seeds?.length ?? 0) > 0 || list.tags !== false;
    const vectors = new Map<number, Float32Array>();
    let fetched = 0;
    const fetchUpTo = async (n: number) => {
      const more = candidates.slice(fetched, n).map((c) => c.track.id);
      fetched = Math.max(fetched, n);
      for (const [vid, v] of await vectorsOf(more)) vectors.set(vid, v);
    };
    const pick = () =>
      pickVaried(
        candidates.map((c) => ({
          ...c,
          trackId: c.track.id,
          title: c.track.title,
          artist: c.track.artist,
          album: c.track.album,
          vector: vectors.get(c.track.id) ?? null,
        })),
        k,
        list.variety,
        list.about,
      );
    if (needVectors) await fetchUpTo(2 * k);
    let picked = pick();
    const position = new Map(candidates.map((c, i) => [c.track.id, i]));
    const reached = Math.max(-1, ...picked.map((p) => position.get(p.trackId) ?? -1)) + 1;
    if (needVectors && reached > fetched) {
      await fetchUpTo(Math.min(candidates.length, reached + k));
      picked = pick();
    }
    const wantTags = list.tags !== false;
    const votes = wantTags
      ? await voteMany([
          { vector: embedding, skip: exclude.ids },
          ...picked.map((p) => ({
            vector: p.vector ?? embedding,
            skip: new Set([p.trackId]),
          })),
        ])
      : [];
    const results = picked.map((p, i): RecommendedTrack => {
      const t = p.track;
      const theirs = parseStoredDescriptors(t.descriptors);
      const similarity = Math.min(1, p.hit.similarity * similarityScale);
      const vote = votes[i + 1];
      const seed =
        list.seeds && list.seeds.length > 1 && p.vector
          ? closestSeed(p.vector, list.seeds).index
          : undefined;
      return {
        ...summary(t),
        rank: i + 1,
        similarity,
        confidence: calibratedConfidence(similarity, metadata.calibration),
        reason: descriptors && theirs ? explainSimilarity(descriptors, theirs) : 'similar timbre',
        ...(vote && vote.genres.length > 0 ? { tags: vote } : {}),
        ...(seed !== undefined && seed >= 0 ? { closestSeed: seed } : {}),
      };
    });
    const own = votes[0];
    return { results, ...(own && own.genres.length > 0 ? { tags: own } : {}) };
  };

  /** Catalogue embeddings of the voted tracks (tracks gone or of another model are skipped). */
  const votedEmbeddings = async (feedback: FeedbackVotes | undefined): Promise<VoteVectors> => {
    if (!feedback || feedback.liked.length + feedback.disliked.length === 0) {
      return { liked: [], disliked: [] };
    }
    const tracks = await catalog.getTracks([...feedback.liked, ...feedback.disliked]);
    const vectorOf = new Map(
      tracks
        .filter((t) => t.embedding && t.modelVersion === metadata.version)
        .map((t) => [t.id, t.embedding as Float32Array]),
    );
    const pick = (ids: readonly number[]) =>
      ids.flatMap((id) => {
        const v = vectorOf.get(id);
        return v ? [v] : [];
      });
    return { liked: pick(feedback.liked), disliked: pick(feedback.disliked) };
  };

  /** Drops candidates that are byte-identical duplicates (same content hash) of a better one. */
  const dedupe = async <T extends { trackId: number }>(ranked: readonly T[]) => {
    const top = await infosOf(ranked.slice(0, 2 + DUPLICATE_SLACK).map((r) => r.trackId));
    const hashOf = new Map(top.map((t) => [t.id, t.contentHash]));
    const seen = new Set<string>();
    const deduped = ranked.filter((r) => {
      const hash = hashOf.get(r.trackId);
      if (hash === undefined) return true;
      if (seen.has(hash)) return false;
      seen.add(hash);
      return true;
    });
    return { deduped, top };
  };

  /**
   * Identifies the clip: by landmark fingerprint first (Wang 2003; core/fingerprint/), and by
   * CNN window matching only for what fingerprints cannot judge — a clip without landmark hits,
   * or a window-match winner stored without a fingerprint (a catalogue from before fingerprints).
   */
  const identify = async (
    fingerprint: Landmarks | undefined,
    windowEmbeddings: Float32Array,
    windowCount: number,
    windowStarts: readonly number[],
    absent: ReadonlySet<number>,
  ) => {
    const idx = await indexes();
    const present = <T extends { trackId: number }>(list: T[]) =>
      absent.size > 0 ? list.filter((r) => !absent.has(r.trackId)) : list;
    const byPrint = fingerprint ? present(matchLandmarks(idx.landmarks, fingerprint)) : [];
    if (byPrint.length > 0) {
      const { deduped, top } = await dedupe(byPrint);
      const best = pickLandmarkMatch(deduped);
      const candidate = candidateOf(deduped, 'fingerprint');
      if (best || idx.landmarks.trackCount === idx.tracks.size) {
        const track = best
          ? (top.find((t) => t.id === best.trackId) ?? (await infosOf([best.trackId]))[0])
          : undefined;
        const match =
          best && track
            ? {
                ...summary(track),
                score: best.score / Math.max(1, fingerprint?.hashes.length ?? 1),
                method: 'fingerprint' as const,
                offsetS: best.offsetS,
                hashes: best.score,
              }
            : undefined;
        return { candidate, match, matchTrack: track };
      }
    }
    const search = (v: Float32Array, n: number) => idx.windows.query(v, n);
    // Models with dense clip windows were fitted with offset-consistent matching (their
    // thresholds assume it); older ones with the plain window vote.
    const ranked =
      metadata.window.queryHopFrames !== undefined && windowStarts.length === windowCount
        ? rankByAlignedWindows(
            windowEmbeddings,
            windowStarts,
            dim,
            metadata.window.hopFrames,
            search,
          )
        : rankByWindows(windowEmbeddings, windowCount, dim, search);
    const { deduped, top } = await dedupe(present(ranked));
    const fingerprinted = new Set(idx.landmarks.trackIds);
    const windowBest = pickMatch(deduped, metadata.matching);
    // A fingerprinted track that its fingerprint did not confirm is not named from windows.
    const best = windowBest && !fingerprinted.has(windowBest.trackId) ? windowBest : undefined;
    const candidate = candidateOf(deduped, 'windows');
    const track = best
      ? (top.find((t) => t.id === best.trackId) ?? (await infosOf([best.trackId]))[0])
      : undefined;
    const match =
      best && track
        ? { ...summary(track), score: best.score, method: 'windows' as const }
        : undefined;
    return { candidate, match, matchTrack: track };
  };

  /**
   * The catalogue track given by id, by the path it was ingested from, or by a numeric string.
   *
   * @throws SynestheteError E_NOT_FOUND when no such track, E_EMPTY_CATALOG when it was analysed
   *   by another model version
   */
  const findTrack = async (ref: number | string) => {
    const track =
      typeof ref === 'number'
        ? await catalog.getTrack(ref)
        : ((await catalog.findBySourcePath(path.resolve(ref))) ??
          (/^\d+$/.test(ref) ? await catalog.getTrack(Number(ref)) : undefined));
    if (!track) {
      throw new SynestheteError(
        'E_NOT_FOUND',
        typeof ref === 'string' && existsSync(ref)
          ? `${ref} is not in the catalogue: ingest it first, or use \`synesthete recommend ${ref}\``
          : `no catalogue track ${typeof ref === 'number' ? `with id ${ref}` : `"${ref}"`}`,
      );
    }
    if (!track.embedding || track.modelVersion !== metadata.version) {
      throw new SynestheteError(
        'E_EMPTY_CATALOG',
        `track ${track.id} was analysed by another model version: re-run ingest`,
      );
    }
    return { ...track, embedding: track.embedding };
  };

  const engine: Engine = {
    model,
    catalog,
    indexDir,
    indexes,
    async recommend(input, opts = {}) {
      const k = opts.k ?? 5;
      // The clip is analysed while the indexes load (a first answer's indexes), but an empty
      // catalogue is reported before anything wrong with the clip.
      const started =
        early?.input === input && opts.analyze === undefined ? early.analysis : undefined;
      early = undefined;
      const [ready, analysed] = await Promise.allSettled([
        usableIndexes(),
        started ?? analyzeAudio(input, model, { query: true, fingerprint: true, ...opts.analyze }),
      ]);
      if (ready.status === 'rejected') throw ready.reason;
      if (analysed.status === 'rejected') throw analysed.reason;
      const analysis = analysed.value;
      const query = {
        sourceDurationS: analysis.sourceDurationS,
        analysedS: analysis.analysedS,
        descriptors: analysis.descriptors,
        summary: describeTrack(analysis.descriptors),
        spectrogram: analysis.spectrogram,
      };
      const found = await identify(
        analysis.fingerprint,
        analysis.embedding.windowEmbeddings,
        analysis.embedding.windowCount,
        analysis.embedding.windowStarts,
        new Set(opts.absent ?? []),
      );
      // A clip whose landmarks line up with a catalogue track is music whatever the gate says
      // (the fingerprint thresholds keep outsiders' false matches at 0 on validation).
      const music =
        analysis.music &&
        !analysis.music.isMusic &&
        analysis.music.reason === 'not-music' &&
        found.match?.method === 'fingerprint'
          ? { probability: analysis.music.probability, isMusic: true }
          : analysis.music;
      if (music && !music.isMusic && !opts.skipMusicCheck) {
        return { recommendations: [], music, query };
      }
      const matchTrack = found.match ? found.matchTrack : undefined;
      // A clip identified as a catalogue track is answered with that track's neighbours: its
      // catalogue vector describes the whole track at full band, not the few seconds the phone
      // and the codec left. Otherwise the clip's own vector is searched; it lacks the full-band
      // timbre part (see core/model/fusion.ts), so its similarity is brought back to scale.
      const trackVector = matchTrack
        ? (await vectorsOf([matchTrack.id])).get(matchTrack.id)
        : undefined;
      // An unidentified clip is moved by the library's clip map, when the catalogue has one, to
      // where its track's catalogue vector would be (core/library/clip-map.ts).
      const clipMap = trackVector
        ? undefined
        : opts.clipMap !== undefined
          ? (opts.clipMap ?? undefined)
          : (await indexes()).clipMap;
      const clipVector =
        clipMap && clipMap.dim === analysis.vector.length
          ? applyClipMap(clipMap, analysis.vector)
          : undefined;
      const queryVector = trackVector ?? clipVector ?? analysis.vector;
      const scale = trackVector || clipVector ? 1 : clipSimilarityScale(metadata.fusion);
      const votes = await votedEmbeddings(opts.feedback);
      const { results: recommendations, tags } = await rank(
        applyFeedback(queryVector, votes),
        trackVector
          ? (parseStoredDescriptors(matchTrack?.descriptors) ?? analysis.descriptors)
          : analysis.descriptors,
        k,
        {
          ids: new Set([
            ...(matchTrack ? [matchTrack.id] : []),
            ...(opts.feedback?.disliked ?? []),
            ...(opts.absent ?? []),
          ]),
          hashes: new Set(matchTrack ? [matchTrack.contentHash] : []),
        },
        scale,
        {
          ...listOptions(opts),
          ...(matchTrack && trackVector
            ? { about: [{ ...summary(matchTrack), vector: trackVector }] }
            : {}),
        },
      );
      return {
        ...(found.match ? { match: found.match } : {}),
        ...(found.candidate ? { candidate: found.candidate } : {}),
        recommendations,
        ...(tags ? { tags } : {}),
        seed: {
          vector: queryVector,
          ...(trackVector && matchTrack ? { trackId: matchTrack.id } : {}),
        },
        ...(music ? { music } : {}),
        query,
      };
    },
    async similar(ref, opts = {}) {
      const k = opts.k ?? 5;
      const track = await findTrack(ref);
      const votes = await votedEmbeddings(opts.feedback);
      const { results: recommendations, tags } = await rank(
        applyFeedback(track.embedding, votes),
        parseStoredDescriptors(track.descriptors),
        k,
        {
          ids: new Set([track.id, ...(opts.feedback?.disliked ?? []), ...(opts.absent ?? [])]),
          hashes: new Set([track.contentHash]),
        },
        1,
        { ...listOptions(opts), about: [{ ...summary(track), vector: track.embedding }] },
      );
      return { track: summary(track), recommendations, ...(tags ? { tags } : {}) };
    },
    async recommendSet(seeds, opts = {}) {
      const k = opts.k ?? 5;
      const summaries: SeedSummary[] = [];
      const vectors: Float32Array[] = [];
      const about: VarietyCandidate[] = [];
      const ids = new Set<number>();
      const hashes = new Set<string>();
      const addTrack = async (id: number) => {
        ids.add(id);
        const [info] = await infosOf([id]);
        if (info) hashes.add(info.contentHash);
        return info;
      };
      for (const seed of seeds) {
        if ('track' in seed) {
          const track = await findTrack(seed.track);
          vectors.push(track.embedding);
          ids.add(track.id);
          hashes.add(track.contentHash);
          summaries.push({ track: summary(track) });
          about.push({ ...summary(track), vector: track.embedding });
        } else if ('vector' in seed) {
          const info = seed.trackId !== undefined ? await addTrack(seed.trackId) : undefined;
          vectors.push(seed.vector);
          about.push({
            trackId: info?.id ?? -1,
            title: info?.title ?? null,
            artist: info?.artist ?? null,
            album: info?.album ?? null,
            vector: seed.vector,
          });
          summaries.push({
            ...(info ? { track: summary(info) } : {}),
            ...(seed.name ? { clip: seed.name } : {}),
          });
        } else {
          const answer = await engine.recommend(seed.clip, {
            k: 1,
            tags: false,
            ...(opts.analyze ? { analyze: opts.analyze } : {}),
            ...(opts.skipMusicCheck ? { skipMusicCheck: true } : {}),
          });
          if (!answer.seed || answer.recommendations.length === 0) continue;
          const info =
            answer.seed.trackId !== undefined ? await addTrack(answer.seed.trackId) : undefined;
          vectors.push(answer.seed.vector);
          about.push({
            trackId: info?.id ?? -1,
            title: info?.title ?? null,
            artist: info?.artist ?? null,
            album: info?.album ?? null,
            vector: answer.seed.vector,
          });
          const clip = seed.name ?? (typeof seed.clip === 'string' ? seed.clip : undefined);
          summaries.push({
            ...(info ? { track: summary(info) } : {}),
            ...(clip ? { clip } : {}),
          });
        }
      }
      if (vectors.length === 0) {
        throw new SynestheteError(
          'E_NOT_FOUND',
          'none of the seeds could be used: no clip was taken for music',
        );
      }
      const votes = await votedEmbeddings(opts.feedback);
      for (const id of opts.feedback?.disliked ?? []) ids.add(id);
      const { results, tags } = await rank(
        applyFeedback(seedCentroid(vectors), votes),
        null,
        k,
        { ids, hashes },
        1,
        { ...listOptions(opts), seeds: vectors, about },
      );
      return { seeds: summaries, recommendations: results, ...(tags ? { tags } : {}) };
    },
    async ingest(inputs, opts = {}) {
      const result = await ingestPaths(catalog, model, inputs, opts);
      if (result.added + result.updated + result.reused > 0) {
        await invalidateTrackIndexes(indexDir);
        live.reset();
      }
      return result;
    },
    async close() {
      live.stop();
      model.dispose();
      await catalog.close();
    },
  };
  return engine;
}

/** The list options of a call's options (undefined fields left out). */
function listOptions(o: ListOptions): ListOptions {
  return {
    ...(o.variety ? { variety: o.variety } : {}),
    ...(o.filter ? { filter: o.filter } : {}),
    ...(o.tags !== undefined ? { tags: o.tags } : {}),
  };
}

/**
 * The catalogue poll interval when the caller gives none: SYNESTHETE_CATALOG_POLL_MS (ms, integer
 * ≥ 0), else 2,000 for PostgreSQL, which other processes write, and 0 for PGlite, which only
 * this process may open.
 */
function defaultFollowMs(kind: Catalog['kind']): number {
  const raw = process.env.SYNESTHETE_CATALOG_POLL_MS?.trim();
  const n = raw ? Number(raw) : Number.NaN;
  if (Number.isInteger(n) && n >= 0) return n;
  return kind === 'postgres' ? 2000 : 0;
}
