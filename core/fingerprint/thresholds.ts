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
 * never used for the test figures): a catalogue of those 44 tracks padded with the 44 of
 * supertuxkart-data (a training package), queried with a 10 s excerpt of each validation track
 * through the evaluation voice-note chain (core/audio/voice-note.ts EVALUATION_VOICE_NOTE, seed 1),
 * and with 10 s excerpts of 38 tracks outside the catalogue (drascula-music,
 * planetblupi-music-ogg) through the same chain, with fingerprintPcm and matchLandmarks. Measured:
 * - own track first for 44 of 44 excerpts; own score 20–360 (median ≈ 110); best other track
 *   4–18, except two excerpts whose track shares its music with another file of the package
 *   (100 vs 61, 109 vs 51); ratio own / best other ≥ 2.3 apart from those two (1.6, 2.1);
 * - outsiders: best score 5–18, ratio best / second 1.0–1.67.
 * So `minScore` 15 sits between most chance scores and the weakest real match, and `minRatio` 2
 * lies between the outsiders' largest ratio (1.67) and the real matches' smallest (2.3): no
 * outsider passes both, every validation excerpt but one near-duplicate does.
 */
export const LANDMARK_MATCH: LandmarkThresholds = {
  minScore: 15,
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
