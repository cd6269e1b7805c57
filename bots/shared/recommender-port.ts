/**
 * The small part of the engine the chat bots use (after vercel/ai's provider interfaces): clip in,
 * five tracks out; neighbours of a track; a track's file for previews. Bots import this file, never
 * tfjs, hnswlib or drizzle; `core/recommend/recommend.ts`'s `Engine` satisfies it, and tests can hand in a
 * fake (see test/bots/shared/fake-recommender.ts).
 */
import type { Engine } from '../../core/engine.js';

/**
 * What a {@link ChatService} needs from the engine.
 *
 * - `recommend(bytes, { k, feedback, analyze })` → the clip's five nearest tracks
 *   (throws SynestheteError `E_INPUT_*`, `E_DECODE*`, `E_EMPTY_CATALOG`)
 * - `similar(trackId, { k, feedback })` → neighbours of a catalogue track (throws `E_NOT_FOUND`)
 * - `catalog.getTrack(id)` → title, artist and `sourcePath` of a track, or undefined
 * - `recommendSet(seeds, { k, feedback })` (optional) → tracks for several clips as a set (`/mix`)
 * - `indexDir`, `model.metadata.version`, `catalog.version()`, `catalog.embeddings()` and
 *   `catalog.getTrackInfos()` (optional) → the catalogue map (bots/shared/catalogue-map.ts)
 *
 * @see ./chat-service.ts for how each answer is turned into a chat message
 */
export type RecommenderPort = Pick<Engine, 'recommend' | 'similar'> &
  Partial<Pick<Engine, 'recommendSet'>> & {
    readonly catalog: Pick<Engine['catalog'], 'getTrack'> &
      Partial<Pick<Engine['catalog'], 'version' | 'embeddings' | 'getTrackInfos'>>;
    /** Where the catalogue map's layout is cached (the index folder); the map needs it. */
    readonly indexDir?: string;
    /** The model's version (the map's layout is cached per catalogue and model version). */
    readonly model?: { readonly metadata: { readonly version: string } };
  };

export type { ConversationStore } from '../../core/catalog/types.js';
export type {
  FeedbackVotes,
  MatchedTrack,
  Recommendation,
  RecommendedTrack,
  SimilarTracks,
  TagVote,
  TrackSummary,
} from '../../core/engine.js';
export type { LogMelSpectrogram } from '../../core/features/log-mel.js';
export { NOT_MUSIC_MESSAGE } from '../../core/model/music-gate.js';
export type { TrackFilter } from '../../core/recommend/filters.js';
export { answerNames, readableFileName, trackName } from '../../core/recommend/names.js';
export { formatTagVote } from '../../core/recommend/tags.js';
export type { ErrorCode } from '../../core/util/errors.js';
export { hasCode, SynestheteError, toSynestheteError } from '../../core/util/errors.js';
