/**
 * Identifying a clip as a catalogue track ("this sounds like X"). Each window of the clip is
 * looked up among the window embeddings of every catalogue track; a track's score is the mean,
 * over the clip's windows, of its best window similarity (0 where it is not among a window's
 * neighbours). A cut or a phone recording of a track matches many of its windows closely, while a
 * merely similar song matches few — which separates "is" from "sounds like".
 */

/** A window-level neighbour: which track, which of its windows, and the cosine similarity. */
export interface WindowHit {
  readonly trackId: number;
  readonly similarity: number;
}

/** Score of one candidate track. */
export interface TrackScore {
  readonly trackId: number;
  /** Mean over the clip's windows of the best window similarity, in [-1, 1]. */
  readonly score: number;
}

/**
 * Ranks candidate tracks for a clip.
 *
 * @param queryWindows - count × dim L2-normalised window embeddings of the clip
 * @param count - number of windows
 * @param dim - embedding size
 * @param searchWindows - nearest catalogue windows of one query window, best first
 * @param neighbours - window neighbours looked at per query window (default 10)
 * @returns candidate tracks, best first
 */
export function rankByWindows(
  queryWindows: Float32Array,
  count: number,
  dim: number,
  searchWindows: (vector: Float32Array, k: number) => readonly WindowHit[],
  neighbours = 10,
): TrackScore[] {
  const sums = new Map<number, number>();
  for (let w = 0; w < count; w++) {
    const best = new Map<number, number>();
    for (const hit of searchWindows(queryWindows.subarray(w * dim, (w + 1) * dim), neighbours)) {
      if (hit.similarity > (best.get(hit.trackId) ?? Number.NEGATIVE_INFINITY))
        best.set(hit.trackId, hit.similarity);
    }
    for (const [trackId, similarity] of best)
      sums.set(trackId, (sums.get(trackId) ?? 0) + similarity);
  }
  return [...sums.entries()]
    .map(([trackId, sum]) => ({ trackId, score: sum / Math.max(1, count) }))
    .sort((a, b) => b.score - a.score);
}

/** Thresholds that decide whether the best-scoring track *is* the clip. */
export interface MatchThresholds {
  /** Lowest score of a match. */
  readonly minScore: number;
  /** Lowest lead of the best score over the second. */
  readonly minMargin: number;
}

/**
 * The matched track, if the best candidate clears both thresholds.
 *
 * @returns the best {@link TrackScore}, or undefined when the clip is not a catalogue track
 */
export function pickMatch(
  ranked: readonly TrackScore[],
  thresholds: MatchThresholds,
): TrackScore | undefined {
  const [best, second] = ranked;
  if (!best || best.score < thresholds.minScore) return undefined;
  if (second && best.score - second.score < thresholds.minMargin) return undefined;
  return best;
}
