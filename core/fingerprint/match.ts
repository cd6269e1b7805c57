/**
 * Matching a clip's landmarks against the catalogue (A. Wang, "An Industrial-Strength Audio
 * Search Algorithm", ISMIR 2003, §2.3): every clip hash found in the index votes for
 * (track, time offset = catalogue anchor time − clip anchor time). A recording of a track puts
 * many votes on one offset — its hashes line up in time — while chance hash collisions scatter
 * over offsets. A track's score is its most-voted offset's count, with the two neighbouring
 * offsets added (the clip's frame grid falls anywhere between the track's, so a peak may land
 * one frame early or late).
 *
 * @module
 */

import type { Landmarks } from './hashes.js';
import type { LandmarkIndex } from './landmark-index.js';
import { FRAME_SECONDS } from './params.js';

/** One candidate track of a clip. */
export interface LandmarkScore {
  readonly trackId: number;
  /** Hashes that agree on the best offset (± 1 frame). */
  readonly score: number;
  /** Where the clip starts in the track, frames (negative: before the track's start). */
  readonly offsetFrames: number;
  /** The same in seconds ({@link offsetFrames} × `FRAME_SECONDS`). */
  readonly offsetS: number;
}

/** Offsets are stored biased by this many frames so that keys stay non-negative (2^21 frames ≈ 13.5 h). */
const OFFSET_BIAS = 2 ** 21;
const OFFSET_SPAN = 2 ** 22;

/**
 * Ranks the catalogue tracks for a clip.
 *
 * @param index - the catalogue's inverted index
 * @param clip - the clip's landmarks
 * @param limit - candidates returned at most (default 10)
 * @returns candidates with at least one vote, best first (ties: lower track id first)
 */
export function matchLandmarks(index: LandmarkIndex, clip: Landmarks, limit = 10): LandmarkScore[] {
  const votes = new Map<number, number>();
  const { slots, times } = index;
  for (let i = 0; i < clip.hashes.length; i++) {
    const range = index.lookup(clip.hashes[i]!);
    if (range === undefined) continue;
    const tq = clip.times[i]!;
    for (let p = range.start; p < range.end; p++) {
      const key = slots[p]! * OFFSET_SPAN + (times[p]! - tq + OFFSET_BIAS);
      votes.set(key, (votes.get(key) ?? 0) + 1);
    }
  }
  const best = new Map<number, { score: number; offset: number }>();
  for (const [key, count] of votes) {
    const slot = Math.floor(key / OFFSET_SPAN);
    const offset = key - slot * OFFSET_SPAN;
    const score = count + (votes.get(key - 1) ?? 0) + (votes.get(key + 1) ?? 0);
    const known = best.get(slot);
    if (known === undefined || score > known.score) best.set(slot, { score, offset });
  }
  return [...best.entries()]
    .map(([slot, { score, offset }]) => {
      const offsetFrames = offset - OFFSET_BIAS;
      return {
        trackId: index.trackIds[slot]!,
        score,
        offsetFrames,
        offsetS: offsetFrames * FRAME_SECONDS,
      };
    })
    .sort((a, b) => b.score - a.score || a.trackId - b.trackId)
    .slice(0, limit);
}
