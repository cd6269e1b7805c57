/**
 * What ingest computes for one catalogue track that needs analysing: its tags, then decode →
 * log-mel → CNN → descriptors → fingerprint (`analyzeAudio`) under the ingest profile. The same
 * function runs on the main thread (`concurrency` 1, the queue worker) and on the ingest worker
 * threads (`pool.ts`), so both give the same catalogue rows. Nothing here touches the
 * catalogue: the caller upserts.
 *
 * @module
 */
import path from 'node:path';
import { type AnalyzeOptions, analyzeAudio, CATALOG_ANALYSIS } from '../analysis/analyze.js';
import { resolveFfmpeg } from '../audio/ffmpeg.js';
import { oggDurationS } from '../audio/ogg-duration.js';
import type { NewTrack } from '../catalog/index.js';
import { storedDescriptors } from '../features/stored-descriptors.js';
import { encodeFingerprint } from '../fingerprint/stored-fingerprint.js';
import { voiceNoteView } from '../library/voice-note-view.js';
import type { EmbeddingModel } from '../model/embedder.js';
import { debugFailure } from '../util/debug-log.js';
import { type IngestProfile, profileAnalysis } from './profile.js';

/** A track's tags as stored (see {@link readTags}). */
export type TrackTags = Pick<NewTrack, 'title' | 'artist' | 'album' | 'genre'>;

/** The analysis of one track: everything its catalogue row needs besides path and hash. */
export interface TrackAnalysis {
  readonly tags: TrackTags;
  /** Duration of the whole source, seconds. */
  readonly durationS: number;
  /** The vector similarity compares (`Analysis.vector`). */
  readonly embedding: Float32Array;
  /** `windowCount` × embedding size, row-major (`TrackEmbedding.windowEmbeddings`). */
  readonly windowEmbeddings: Float32Array;
  readonly windowCount: number;
  /** `Descriptors` as the catalogue's JSON column holds them. */
  readonly descriptors: Record<string, unknown>;
  /** The stored fingerprint bytes (`encodeFingerprint`), or null. */
  readonly fingerprint: Uint8Array | null;
  /**
   * The vector of a voice-note view of the track (core/library/voice-note-view.ts) when asked for
   * with `view` and it could be made, else null.
   */
  readonly clipView: Float32Array | null;
}

/** How {@link analyzeTrack} analyses (plain data: it is posted to worker threads). */
export interface TrackAnalysisOptions {
  /** Ingest profile (core/ingest/profile.ts); default `full`. */
  readonly profile?: IngestProfile;
  /** Decode caps per file (override the profile's). */
  readonly analyze?: AnalyzeOptions;
  /**
   * Also make a voice-note view of the track, for the library's clip map (default false). A view
   * that cannot be made (no ffmpeg program, a failed cut) leaves `clipView` null; the track still
   * ingests.
   */
  readonly view?: boolean;
}

/**
 * Tags of a file; a file whose tags cannot be read still ingests, titled by its file name.
 *
 * @param file - path of an audio file
 * @param duration - also work the duration out where the headers do not declare it (music-
 *   metadata's `duration: true`: for Ogg it walks every page, ~130 ms of CPU per track; the `fast`
 *   profile reads Ogg durations with `oggDurationS` instead); default false (`durationS` is then
 *   null for most Ogg files)
 * @returns title (file name when untagged), artist, album, genre (≤ 200 characters, control
 *   characters removed) and the duration in seconds or null
 */
export async function readTags(
  file: string,
  duration = false,
): Promise<TrackTags & { durationS: number | null }> {
  // Tags and file names may hold anything: control characters become spaces, 200 characters kept.
  const clean = (v: string | undefined) =>
    v
      ? v
          .replace(/[\p{Cc}]/gu, ' ')
          .trim()
          .slice(0, 200) || null
      : null;
  const fallbackTitle =
    clean(path.basename(file, path.extname(file)).replace(/[_]+/g, ' ')) ?? path.basename(file);
  try {
    const { parseFile } = await import('music-metadata');
    const { common, format } = await parseFile(file, { duration, skipCovers: true });
    return {
      title: clean(common.title) ?? fallbackTitle,
      artist: clean(common.artist),
      album: clean(common.album),
      genre: clean(common.genre?.[0]),
      durationS: format.duration ?? null,
    };
  } catch (error) {
    // Untagged or unreadable tags: the file name stands in for the title; decoding decides the rest.
    debugFailure(`reading the tags of ${file}`, error);
    return { title: fallbackTitle, artist: null, album: null, genre: null, durationS: null };
  }
}

/**
 * Reads a track's tags and analyses it for the catalogue (timbre statistics and fingerprint
 * included) under an ingest profile.
 *
 * @param file - path of an audio file
 * @param model - the loaded embedding model
 * @param options - profile and decode caps
 * @returns tags and analysis (see {@link TrackAnalysis})
 * @throws SynestheteError from decoding (E_DECODE, E_INPUT_*, E_DECODE_TIMEOUT, E_NOT_FOUND,
 *   E_FFMPEG_MISSING), E_CONFIG for an unknown profile
 */
export async function analyzeTrack(
  file: string,
  model: EmbeddingModel,
  options: TrackAnalysisOptions = {},
): Promise<TrackAnalysis> {
  const profile = options.profile ?? 'full';
  const { durationS: tagDurationS, ...tags } = await readTags(file);
  const durationS =
    profile === 'fast' || profile === 'full'
      ? (tagDurationS ??
        (await oggDurationS(file).catch((error: unknown) => {
          debugFailure(`reading the Ogg duration of ${file}`, error);
          return null;
        })))
      : tagDurationS;
  const analysis = await analyzeAudio(file, model, {
    ...CATALOG_ANALYSIS,
    ...profileAnalysis(profile, durationS),
    ...options.analyze,
    timbre: true,
    fingerprint: true,
  });
  return {
    tags,
    durationS: analysis.sourceDurationS,
    embedding: analysis.vector,
    windowEmbeddings: analysis.embedding.windowEmbeddings,
    windowCount: analysis.embedding.windowCount,
    descriptors: storedDescriptors(analysis.descriptors),
    fingerprint: analysis.fingerprint ? encodeFingerprint(analysis.fingerprint) : null,
    clipView: options.view ? await viewOf(file, analysis.sourceDurationS, model) : null,
  };
}

/** A voice-note view's vector, or null (and a debug line) when it cannot be made. */
async function viewOf(
  file: string,
  durationS: number,
  model: EmbeddingModel,
): Promise<Float32Array | null> {
  try {
    return await voiceNoteView(file, durationS, model, (await resolveFfmpeg()).path, file);
  } catch (error) {
    debugFailure(`making a voice-note view of ${file}`, error);
    return null;
  }
}
