/**
 * Figures of a set of result lists beyond their precision: how often a list repeats a song or an
 * artist, and hubness — how unevenly the catalogue's tracks are spread over all answers.
 *
 * @module
 */

import { normaliseName, versionKey } from '../recommend/variety.js';

/** One result as these figures see it. */
export interface ListItem {
  readonly trackId: number;
  readonly title: string | null;
  readonly artist: string | null;
}

/**
 * Share of lists holding two versions of one song: two items with the same normalised title and
 * artist (core/recommend/variety.ts `versionKey`), or a pair `sameSong` says is one song.
 *
 * @param lists - result lists
 * @param sameSong - optional extra test of two track ids (e.g. near-identical audio)
 * @returns a share in [0, 1] (0 for no lists)
 */
export function shareWithVersions(
  lists: readonly (readonly ListItem[])[],
  sameSong?: (a: number, b: number) => boolean,
): number {
  if (lists.length === 0) return 0;
  const hit = lists.filter((list) =>
    list.some((a, i) =>
      list.some((b, j) => {
        if (j <= i) return false;
        const ka = versionKey(a);
        return (ka !== undefined && ka === versionKey(b)) || !!sameSong?.(a.trackId, b.trackId);
      }),
    ),
  );
  return hit.length / lists.length;
}

/**
 * Share of lists with more than `max` items by one artist (normalised names; untagged items do
 * not count).
 *
 * @returns a share in [0, 1] (0 for no lists)
 */
export function shareOverArtistCap(lists: readonly (readonly ListItem[])[], max = 2): number {
  if (lists.length === 0) return 0;
  const over = lists.filter((list) => {
    const counts = new Map<string, number>();
    for (const item of list) {
      const a = normaliseName(item.artist);
      if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    return [...counts.values()].some((c) => c > max);
  });
  return over.length / lists.length;
}

/** Hubness figures of a set of top-k answers over a catalogue. */
export interface Hubness {
  /** Share of all result slots taken by the most-recommended 1 % of the catalogue (at least one track). */
  readonly top1PercentShare: number;
  /**
   * Skewness of the k-occurrence distribution N_k (how many answers each catalogue track is in),
   * over every catalogue track (M. Radovanović, A. Nanopoulos & M. Ivanović, "Hubs in space",
   * JMLR 2010): 0 for an even spread, large and positive when a few tracks are in most answers.
   */
  readonly kOccurrenceSkewness: number;
  /** The largest N_k. */
  readonly maxOccurrence: number;
  /** Share of the catalogue in no answer at all (anti-hubs, never recommended). */
  readonly neverRecommended: number;
}

/**
 * Hubness of a set of answers.
 *
 * @param lists - result track ids per answer
 * @param catalogIds - every catalogue track (those in no answer count with N_k = 0)
 */
export function hubness(
  lists: readonly (readonly number[])[],
  catalogIds: readonly number[],
): Hubness {
  const occurrences = new Map<number, number>(catalogIds.map((id) => [id, 0]));
  let slots = 0;
  for (const list of lists) {
    for (const id of list) {
      occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
      slots++;
    }
  }
  const counts = [...occurrences.values()].sort((a, b) => b - a);
  const n = counts.length;
  const top = Math.max(1, Math.ceil(n * 0.01));
  const topSlots = counts.slice(0, top).reduce((s, c) => s + c, 0);
  const mean = counts.reduce((s, c) => s + c, 0) / Math.max(1, n);
  let m2 = 0;
  let m3 = 0;
  for (const c of counts) {
    m2 += (c - mean) ** 2;
    m3 += (c - mean) ** 3;
  }
  m2 /= Math.max(1, n);
  m3 /= Math.max(1, n);
  return {
    top1PercentShare: slots > 0 ? topSlots / slots : 0,
    kOccurrenceSkewness: m2 > 0 ? m3 / m2 ** 1.5 : 0,
    maxOccurrence: counts[0] ?? 0,
    neverRecommended: n > 0 ? counts.filter((c) => c === 0).length / n : 0,
  };
}
