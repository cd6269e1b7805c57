/**
 * Which parts of a long source are decoded. A recommender that only heard the first two minutes
 * of a ten-minute track would describe its intro, so long sources are sampled in equal segments
 * spread over their whole length.
 */

/** One stretch of the source to decode, in seconds. */
export interface SegmentSpan {
  /** Start in the source, seconds (≥ 0). */
  readonly startS: number;
  /** Length, seconds (> 0). */
  readonly lengthS: number;
}

/**
 * Plans the decode of a source of `durationS` seconds when at most `maxAnalysedS` seconds may be
 * analysed. When the source fits (or its duration is unknown), one span from 0 of length
 * `maxAnalysedS` (decoding stops at the end of the source). Otherwise `segments` spans of `maxAnalysedS / segments` seconds each, the i-th
 * centred in the i-th of `segments` equal parts of the source: they cover the whole track
 * evenly, from near its start to near its end, while skipping the very first and last seconds
 * (count-ins, fade-outs) that an evenly spaced grid starting at 0 would always include.
 *
 * @param durationS - source duration in seconds, or null when unknown
 * @param maxAnalysedS - the most seconds to decode (> 0)
 * @param segments - number of segments for long sources (integer ≥ 1)
 * @returns spans in source order, non-overlapping
 */
export function planSegments(
  durationS: number | null,
  maxAnalysedS: number,
  segments: number,
): SegmentSpan[] {
  if (durationS === null || durationS <= maxAnalysedS || segments <= 1) {
    // Not min(duration, max): a declared duration may be an underestimate; ffmpeg stops at EOF.
    return [{ startS: 0, lengthS: maxAnalysedS }];
  }
  const lengthS = maxAnalysedS / segments;
  const part = durationS / segments;
  const spans: SegmentSpan[] = [];
  for (let i = 0; i < segments; i++) {
    const startS = Math.max(0, (i + 0.5) * part - lengthS / 2);
    spans.push({ startS: Math.round(startS * 1000) / 1000, lengthS });
  }
  return spans;
}
