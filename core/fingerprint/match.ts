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

/**
 * Offsets are biased by this many frames so that they stay non-negative (2^21 frames ≈ 13.5 h;
 * fingerprinted audio is at most 30 min, see `FINGERPRINT_MAX_S` in core/analyze.ts).
 */
const OFFSET_BIAS = 2 ** 21;

/** Reused vote buffers (grown as needed): votes in clip order, and the same sorted per track. */
let voteBuffer = new Uint32Array(0);
let sortBuffer = new Uint32Array(0);

/**
 * Ranks the catalogue tracks for a clip.
 *
 * Votes are counted without a hash map: a first pass over the clip's postings counts the votes
 * per track, a second writes each vote's offset into its track's stretch of one array (in the
 * order the clip's hashes and their postings come), and each track's stretch is sorted (native
 * typed-array sort) so that equal offsets form runs. A track's best offset is the run whose count
 * plus its two neighbouring offsets' counts is largest; between offsets with the same score the
 * one voted for first wins — exactly what a `Map` keyed by (track, offset) and filled in vote
 * order gives (test/fingerprint/match-reference.test.ts), at a fraction of the cost: for the 15 s
 * voice note of `npm run bench:recommend` against the 637-track catalogue (3.37 M postings),
 * 8.0 ms of CPU against 32.5 ms with the `Map` (medians of 10, 2-core development machine at load
 * 5.5–6.4).
 *
 * @param index - the catalogue's inverted index
 * @param clip - the clip's landmarks
 * @param limit - candidates returned at most (default 10)
 * @returns candidates with at least one vote, best first (ties: lower track id first)
 */
export function matchLandmarks(index: LandmarkIndex, clip: Landmarks, limit = 10): LandmarkScore[] {
  const { slots, times, starts } = index;
  const tracks = index.trackCount;
  const n = clip.hashes.length;
  // Pass 1: each clip hash's postings (found once) and the votes per track.
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const perTrack = new Uint32Array(tracks + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const k = index.find(clip.hashes[i]!);
    if (k < 0) continue;
    const start = starts[k]!;
    const end = starts[k + 1]!;
    from[i] = start;
    to[i] = end;
    total += end - start;
    for (let p = start; p < end; p++) perTrack[slots[p]! + 1]!++;
  }
  if (total === 0) return [];
  if (voteBuffer.length < total) {
    voteBuffer = new Uint32Array(total);
    sortBuffer = new Uint32Array(total);
  }
  const votes = voteBuffer;
  const sorted = sortBuffer;
  // perTrack[s] becomes where track slot s's votes start; next[s] the next free place.
  for (let s = 0; s < tracks; s++) perTrack[s + 1]! += perTrack[s]!;
  const next = perTrack.slice(0, tracks);
  // Pass 2: every vote's offset, in clip order, into its track's stretch.
  for (let i = 0; i < n; i++) {
    const end = to[i]!;
    if (end === 0) continue;
    const tq = clip.times[i]! - OFFSET_BIAS;
    for (let p = from[i]!; p < end; p++) votes[next[slots[p]!]!++] = times[p]! - tq;
  }
  const found: LandmarkScore[] = [];
  for (let s = 0; s < tracks; s++) {
    const lo = perTrack[s]!;
    const hi = perTrack[s + 1]!;
    if (hi === lo) continue;
    const run = sorted.subarray(lo, hi);
    run.set(votes.subarray(lo, hi));
    run.sort();
    // Runs of equal offsets: score each with its neighbours' runs (offset ± 1).
    let bestScore = 0;
    let bestOffset = 0;
    let ties = 0;
    let prevOffset = -2;
    let prevCount = 0;
    let at = 0;
    const len = hi - lo;
    while (at < len) {
      const offset = run[at]!;
      let end = at + 1;
      while (end < len && run[end] === offset) end++;
      const count = end - at;
      const after = end < len && run[end] === offset + 1 ? countRun(run, end, len) : 0;
      const score = count + (prevOffset === offset - 1 ? prevCount : 0) + after;
      if (score > bestScore) {
        bestScore = score;
        bestOffset = offset;
        ties = 0;
      } else if (score === bestScore) ties++;
      prevOffset = offset;
      prevCount = count;
      at = end;
    }
    if (ties > 0) bestOffset = firstVoted(run, votes.subarray(lo, hi), bestScore);
    const offsetFrames = bestOffset - OFFSET_BIAS;
    found.push({
      trackId: index.trackIds[s]!,
      score: bestScore,
      offsetFrames,
      offsetS: offsetFrames * FRAME_SECONDS,
    });
  }
  return found.sort((a, b) => b.score - a.score || a.trackId - b.trackId).slice(0, limit);
}

/** Length of the run of equal values starting at `at` in the sorted `run`. */
function countRun(run: Uint32Array, at: number, len: number): number {
  const v = run[at]!;
  let end = at + 1;
  while (end < len && run[end] === v) end++;
  return end - at;
}

/**
 * Of the offsets of a track that reach `score` (its best), the one whose first vote came first
 * in clip order — the one a hash map filled in vote order would have met first.
 *
 * @param run - the track's vote offsets, sorted
 * @param inOrder - the same votes in clip order
 */
function firstVoted(run: Uint32Array, inOrder: Uint32Array, score: number): number {
  const best = new Set<number>();
  const len = run.length;
  let prevOffset = -2;
  let prevCount = 0;
  let at = 0;
  while (at < len) {
    const offset = run[at]!;
    const count = countRun(run, at, len);
    const end = at + count;
    const after = end < len && run[end] === offset + 1 ? countRun(run, end, len) : 0;
    if (count + (prevOffset === offset - 1 ? prevCount : 0) + after === score) best.add(offset);
    prevOffset = offset;
    prevCount = count;
    at = end;
  }
  for (const offset of inOrder) if (best.has(offset)) return offset;
  return run[0]!;
}
