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
  /** Position of the window in its track (window n starts near frame n × window hop). */
  readonly windowIndex?: number;
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

/**
 * Ranks candidate tracks for a clip, counting only matches at one consistent time offset (the
 * principle of landmark fingerprinting, Wang 2003: a recording of a track matches it window after
 * window at the same offset, while a track that merely shares a theme matches here and there).
 * A hit of clip window w (starting at frame `queryStarts[w]`) on catalogue window n puts the clip
 * at offset n × `catalogHopFrames` − `queryStarts[w]` in that track; a track's score is, over
 * offsets, the largest mean over the clip's windows of the best similarity among hits within
 * `catalogHopFrames` × 0.75 of that offset (0 for a window without one).
 *
 * @param queryWindows - count × dim L2-normalised window embeddings of the clip
 * @param queryStarts - start frame of each clip window (count entries)
 * @param dim - embedding size
 * @param catalogHopFrames - hop between a catalogue track's windows, frames
 * @param searchWindows - nearest catalogue windows of one query window, best first, with
 *   `windowIndex`
 * @param neighbours - window neighbours looked at per query window (default 10)
 * @returns candidate tracks, best first
 */
export function rankByAlignedWindows(
  queryWindows: Float32Array,
  queryStarts: readonly number[],
  dim: number,
  catalogHopFrames: number,
  searchWindows: (vector: Float32Array, k: number) => readonly WindowHit[],
  neighbours = 10,
): TrackScore[] {
  const count = queryStarts.length;
  const hitsByTrack = new Map<number, Array<{ w: number; offset: number; similarity: number }>>();
  for (let w = 0; w < count; w++) {
    for (const hit of searchWindows(queryWindows.subarray(w * dim, (w + 1) * dim), neighbours)) {
      const offset = (hit.windowIndex ?? 0) * catalogHopFrames - queryStarts[w]!;
      const list = hitsByTrack.get(hit.trackId) ?? [];
      hitsByTrack.set(hit.trackId, list);
      list.push({ w, offset, similarity: hit.similarity });
    }
  }
  const tolerance = 0.75 * catalogHopFrames;
  const scores: TrackScore[] = [];
  const best = new Float64Array(count);
  for (const [trackId, hits] of hitsByTrack) {
    let top = 0;
    for (const center of hits) {
      best.fill(0);
      for (const h of hits) {
        if (Math.abs(h.offset - center.offset) <= tolerance && h.similarity > best[h.w]!)
          best[h.w] = h.similarity;
      }
      let sum = 0;
      for (let w = 0; w < count; w++) sum += best[w]!;
      top = Math.max(top, sum / Math.max(1, count));
    }
    scores.push({ trackId, score: top });
  }
  return scores.sort((a, b) => b.score - a.score);
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
