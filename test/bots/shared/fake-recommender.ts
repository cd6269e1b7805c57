/**
 * A recording fake of {@link RecommenderPort} for chat-service tests that need no model: it
 * records every call and answers what the test sets (or throws what it sets).
 */
import type {
  FeedbackVotes,
  Recommendation,
  RecommenderPort,
  SimilarTracks,
} from '../../../bots/shared/recommender-port.js';

/** A catalogue track as `catalog.getTrack` returns it. */
type CatalogTrack = NonNullable<Awaited<ReturnType<RecommenderPort['catalog']['getTrack']>>>;

/** One recorded call. */
export type RecordedCall =
  | { method: 'recommend'; bytes: number; feedback: FeedbackVotes | undefined }
  | { method: 'similar'; trackId: number; feedback: FeedbackVotes | undefined };

/** A track of the fake catalogue. */
const track = (id: number) => ({
  id,
  trackId: id,
  title: id === 3 ? null : `Track ${id}`,
  artist: id === 3 ? null : 'Band',
  album: null,
  durationS: 30,
  sourcePath: `/music/track_${id}.ogg`,
});

/** The fake; `next` decides the next recommend() outcome. */
export interface FakeRecommender extends RecommenderPort {
  readonly calls: RecordedCall[];
  /** What recommend() does next: answer this, or throw it. Default: five results. */
  next: (() => Promise<Recommendation>) | undefined;
}

/** A recommendation with `ids` as results (track 3 has no tags: its label is its file name). */
export function fakeRecommendation(ids: readonly number[], match?: number): Recommendation {
  return {
    // Cast: core may add fields to a match (the fake fills in what the chat service reads).
    ...(match
      ? { match: { ...track(match), score: 0.8 } as NonNullable<Recommendation['match']> }
      : {}),
    recommendations: ids.map((id, i) => ({
      ...track(id),
      rank: i + 1,
      similarity: 0.9 - i * 0.1,
      confidence: 0.8 - i * 0.1,
      reason: 'similar timbre',
    })),
    music: { probability: 0.9, isMusic: true },
    query: {
      sourceDurationS: 15,
      analysedS: 15,
      descriptors: {} as Recommendation['query']['descriptors'],
      summary: '120 BPM · C major · warm',
      spectrogram: { data: new Float32Array(10 * 8), frames: 10, nMels: 8 },
    },
  };
}

/** Creates the fake over track ids 1–20. */
export function createFakeRecommender(): FakeRecommender {
  const fake: FakeRecommender = {
    calls: [],
    next: undefined,
    async recommend(input, options) {
      fake.calls.push({
        method: 'recommend',
        bytes:
          typeof input === 'string'
            ? -1
            : input instanceof Uint8Array
              ? input.byteLength
              : input.pcm.byteLength,
        feedback: options?.feedback,
      });
      if (fake.next) return fake.next();
      return fakeRecommendation([1, 2, 3, 4, 5]);
    },
    async similar(ref, options) {
      const trackId = Number(ref);
      fake.calls.push({ method: 'similar', trackId, feedback: options?.feedback });
      const result: SimilarTracks = {
        track: track(trackId),
        recommendations: fakeRecommendation([6, 7, 8, 9, 10]).recommendations,
      };
      return result;
    },
    catalog: {
      async getTrack(id) {
        if (id < 1 || id > 20) return undefined;
        // Cast: only the summary fields are read by the chat service.
        return { ...track(id), contentHash: 'x' } as unknown as CatalogTrack;
      },
    },
  };
  return fake;
}
