/**
 * Filters on the tracks a result list may hold: genre tags to keep or leave out, and a duration
 * range. Applied to candidates before the variety rules and the cut to k.
 *
 * @module
 */

/** Which tracks may be recommended; every field optional (absent: no condition). */
export interface TrackFilter {
  /** Keep only tracks whose genre tag is one of these (compared case- and punctuation-blind). */
  readonly genres?: readonly string[];
  /** Leave out tracks whose genre tag is one of these. */
  readonly notGenres?: readonly string[];
  /** Shortest track kept, seconds (a track of unknown duration is kept). */
  readonly minDurationS?: number;
  /** Longest track kept, seconds (a track of unknown duration is kept). */
  readonly maxDurationS?: number;
}

/** A genre tag for comparison: lower case, letters and digits only ("R&B" → "rb", "Hip-Hop" → "hiphop"). */
export function genreKey(genre: string | null | undefined): string {
  return (genre ?? '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** True when the filter sets no condition. */
export function isEmptyFilter(filter: TrackFilter | undefined): boolean {
  return (
    !filter ||
    (!filter.genres?.length &&
      !filter.notGenres?.length &&
      filter.minDurationS === undefined &&
      filter.maxDurationS === undefined)
  );
}

/**
 * Whether a track passes the filter. A track without a genre tag fails `genres` and passes
 * `notGenres`; a track of unknown duration passes the duration range.
 *
 * @param track - its genre tag and duration in seconds (null when unknown)
 * @param filter - the conditions; undefined passes everything
 */
export function passesFilter(
  track: { readonly genre: string | null; readonly durationS: number | null },
  filter: TrackFilter | undefined,
): boolean {
  if (!filter) return true;
  const genre = genreKey(track.genre);
  if (filter.genres?.length && !filter.genres.some((g) => genreKey(g) === genre && genre !== '')) {
    return false;
  }
  if (
    filter.notGenres?.length &&
    genre !== '' &&
    filter.notGenres.some((g) => genreKey(g) === genre)
  ) {
    return false;
  }
  const d = track.durationS;
  if (d !== null && Number.isFinite(d)) {
    if (filter.minDurationS !== undefined && d < filter.minDurationS) return false;
    if (filter.maxDurationS !== undefined && d > filter.maxDurationS) return false;
  }
  return true;
}
