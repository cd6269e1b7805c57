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
 * fingerprinted audio is at most 30 min, see `FINGERPRINT_MAX_S` in core/analysis/analyze.ts).
 */
const OFFSET_BIAS = 2 ** 21;

/** Reused buffers (grown as needed): votes in clip order, after each radix pass, per track. */
const buffers = {
  size: 0,
  offsets: new Uint32Array(0),
  slots: new Uint32Array(0),
  offsetsLow: new Uint32Array(0),
  slotsLow: new Uint32Array(0),
  offsetsHigh: new Uint32Array(0),
  slotsHigh: new Uint32Array(0),
  sorted: new Uint32Array(0),
};

/** Bits per radix digit: offsets below 2^22 sort in two passes of 2,048 buckets. */
const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;

/** The reused buffers, at least `size` long. */
function voteBuffers(size: number): typeof buffers {
  if (buffers.size < size) {
    const grown = Math.max(size, 2 * buffers.size);
    buffers.size = grown;
    buffers.offsets = new Uint32Array(grown);
    buffers.slots = new Uint32Array(grown);
    buffers.offsetsLow = new Uint32Array(grown);
    buffers.slotsLow = new Uint32Array(grown);
    buffers.offsetsHigh = new Uint32Array(grown);
    buffers.slotsHigh = new Uint32Array(grown);
    buffers.sorted = new Uint32Array(grown);
  }
  return buffers;
}

/**
 * Ranks the catalogue tracks for a clip.
 *
 * Votes are counted without a hash map: every vote's (track, offset) is written in clip order to
 * two arrays, then sorted by track and offset with a least-significant-digit radix sort — the
 * offset's low 11 bits, its high 11 bits, then the track (three stable counting passes over the
 * votes, no comparisons) — so that each track's equal offsets form runs. A track's best offset is
 * the run whose count plus its two neighbouring offsets' counts is largest; between offsets with
 * the same score the one voted for first wins — exactly what a `Map` keyed by (track, offset) and
 * filled in vote order gives (test/fingerprint/match-reference.test.ts), at a fraction of the
 * cost: for the 15 s voice note of `npm run bench:recommend` against the 637-track catalogue
 * (3.37 M postings, ≈ 90,000 votes), 32.5 ms of CPU with the `Map` (stage median, load 5.5–6.4);
 * 7.1–7.6 ms with the radix passes against 7.8–8.1 ms with V8's `TypedArray.prototype.sort` per
 * track (Node 22, medians of 21 alternating, load ≈ 5).
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
  // Each clip hash's postings (found once), the votes per track.
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
  const b = voteBuffers(total);
  // perTrack[s] becomes where track slot s's votes start.
  for (let s = 0; s < tracks; s++) perTrack[s + 1]! += perTrack[s]!;
  // Every vote in clip order, with the histogram of its offset's low digit.
  const low = new Uint32Array(DIGIT_MASK + 2);
  let v = 0;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const end = to[i]!;
    if (end === 0) continue;
    const tq = clip.times[i]! - OFFSET_BIAS;
    for (let p = from[i]!; p < end; p++, v++) {
      const offset = times[p]! - tq;
      b.offsets[v] = offset;
      b.slots[v] = slots[p]!;
      low[(offset & DIGIT_MASK) + 1]!++;
      if (offset > largest) largest = offset;
    }
  }
  if (largest >>> (2 * DIGIT_BITS) !== 0) {
    // Anchor times beyond 2^21 frames (13.5 h; never written by this engine): compare instead.
    return rankBySorting(index, b, total, perTrack, limit);
  }
  // Stable counting passes: low digit, high digit, then track.
  for (let d = 0; d <= DIGIT_MASK; d++) low[d + 1]! += low[d]!;
  const high = new Uint32Array(DIGIT_MASK + 2);
  for (let j = 0; j < total; j++) {
    const offset = b.offsets[j]!;
    const at = low[offset & DIGIT_MASK]!++;
    b.offsetsLow[at] = offset;
    b.slotsLow[at] = b.slots[j]!;
    high[(offset >>> DIGIT_BITS) + 1]!++;
  }
  for (let d = 0; d <= DIGIT_MASK; d++) high[d + 1]! += high[d]!;
  for (let j = 0; j < total; j++) {
    const offset = b.offsetsLow[j]!;
    const at = high[offset >>> DIGIT_BITS]!++;
    b.offsetsHigh[at] = offset;
    b.slotsHigh[at] = b.slotsLow[j]!;
  }
  const next = perTrack.slice(0, tracks);
  for (let j = 0; j < total; j++) b.sorted[next[b.slotsHigh[j]!]!++] = b.offsetsHigh[j]!;
  return scoreTracks(index, b, total, perTrack, limit);
}

/** {@link matchLandmarks} for offsets of any size: each track's votes sorted by comparisons. */
function rankBySorting(
  index: LandmarkIndex,
  b: typeof buffers,
  total: number,
  perTrack: Uint32Array,
  limit: number,
): LandmarkScore[] {
  const next = perTrack.slice(0, index.trackCount);
  for (let j = 0; j < total; j++) b.sorted[next[b.slots[j]!]!++] = b.offsets[j]!;
  for (let s = 0; s < index.trackCount; s++)
    sortOffsets(b.sorted, perTrack[s]!, perTrack[s + 1]! - 1);
  return scoreTracks(index, b, total, perTrack, limit);
}

/**
 * Each track's best offset from its sorted votes (`b.sorted`, stretches by `perTrack`), the
 * tracks ranked; the offset voted for first (in `b.offsets`/`b.slots`, clip order) among equally
 * good ones, settled for the returned tracks only.
 */
function scoreTracks(
  index: LandmarkIndex,
  b: typeof buffers,
  total: number,
  perTrack: Uint32Array,
  limit: number,
): LandmarkScore[] {
  const found: Array<{ slot: number; score: number; offset: number; ties: number }> = [];
  for (let s = 0; s < index.trackCount; s++) {
    const lo = perTrack[s]!;
    const hi = perTrack[s + 1]!;
    if (hi === lo) continue;
    const run = b.sorted;
    // Runs of equal offsets: score each with its neighbours' runs (offset ± 1).
    let bestScore = 0;
    let bestOffset = 0;
    let ties = 0;
    let prevOffset = -2;
    let prevCount = 0;
    let at = lo;
    while (at < hi) {
      const offset = run[at]!;
      let end = at + 1;
      while (end < hi && run[end] === offset) end++;
      const count = end - at;
      const after = end < hi && run[end] === offset + 1 ? countRun(run, end, hi) : 0;
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
    found.push({ slot: s, score: bestScore, offset: bestOffset, ties });
  }
  const top = found
    .sort((x, y) => y.score - x.score || index.trackIds[x.slot]! - index.trackIds[y.slot]!)
    .slice(0, limit);
  // Which of several equally good offsets was voted for first (a low-scoring track often
  // reaches its score at many offsets): one pass over the votes in clip order.
  const pending = new Map<number, Set<number>>();
  for (const t of top) {
    if (t.ties > 0) {
      pending.set(t.slot, bestOffsets(b.sorted, perTrack[t.slot]!, perTrack[t.slot + 1]!, t.score));
    }
  }
  const settled = new Map<number, number>();
  for (let j = 0; pending.size > settled.size && j < total; j++) {
    const slot = b.slots[j]!;
    const candidates = pending.get(slot);
    if (candidates?.has(b.offsets[j]!) && !settled.has(slot)) settled.set(slot, b.offsets[j]!);
  }
  return top.map((t) => {
    const offsetFrames = (settled.get(t.slot) ?? t.offset) - OFFSET_BIAS;
    return {
      trackId: index.trackIds[t.slot]!,
      score: t.score,
      offsetFrames,
      offsetS: offsetFrames * FRAME_SECONDS,
    };
  });
}

/**
 * Sorts `a[lo … hi]` ascending in place: quicksort with three-way partitioning (E. W. Dijkstra's
 * "Dutch national flag"; runs of equal offsets — a matching track's hundreds of votes on one
 * offset — are set aside in one pass), median-of-three pivots, insertion sort below 16 values.
 * Only for offsets past 22 bits, which the radix passes of {@link matchLandmarks} do not cover.
 */
function sortOffsets(a: Uint32Array, lo: number, hi: number): void {
  while (hi - lo >= 16) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
    // a[lo … lt − 1] < pivot, a[lt … i − 1] = pivot, a[gt + 1 … hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    // Recurse into the smaller side, loop on the larger (stack depth O(log n)).
    if (lt - lo < hi - gt) {
      sortOffsets(a, lo, lt - 1);
      lo = gt + 1;
    } else {
      sortOffsets(a, gt + 1, hi);
      hi = lt - 1;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Length of the run of equal values starting at `at` in the sorted `run` (up to `end`). */
function countRun(run: Uint32Array, at: number, end: number): number {
  const v = run[at]!;
  let stop = at + 1;
  while (stop < end && run[stop] === v) stop++;
  return stop - at;
}

/** The offsets of a track's sorted votes `run[lo … hi − 1]` that reach `score`. */
function bestOffsets(run: Uint32Array, lo: number, hi: number, score: number): Set<number> {
  const best = new Set<number>();
  let prevOffset = -2;
  let prevCount = 0;
  let at = lo;
  while (at < hi) {
    const offset = run[at]!;
    const count = countRun(run, at, hi);
    const end = at + count;
    const after = end < hi && run[end] === offset + 1 ? countRun(run, end, hi) : 0;
    if (count + (prevOffset === offset - 1 ? prevCount : 0) + after === score) best.add(offset);
    prevOffset = offset;
    prevCount = count;
    at = end;
  }
  return best;
}
