/**
 * How much of each catalogue track ingest analyses.
 *
 * - `full` (the default): up to 6 minutes in 6 segments spread over the track, 240 CNN windows,
 *   timbre statistics of 60 s decoded again at 44.1 kHz, and a landmark fingerprint of the whole
 *   track (decoded a third time), so that a clip from any moment of it can be identified.
 * - `fast`: one 30 s excerpt from the middle of the track — Musly's excerpt length (Schnitzer
 *   et al., musly.org: "musly -x 30") — decoded once at 44.1 kHz (only the stretch around the
 *   excerpt: the decoder seeks to it, core/audio/decode.ts) and halved in process to the model's 22,050 Hz (core/audio/decimate.ts); its ≤ 20 CNN
 *   windows, descriptors, timbre statistics and fingerprint all come from that excerpt. What it
 *   gives up: identification. A clip is only named when it comes from the fingerprinted 30 s;
 *   from anywhere else in the track it gets recommendations but no "this sounds like …".
 *
 * @module
 */
import type { AnalyzeOptions } from '../analysis/analyze.js';
import { SynestheteError } from '../util/errors.js';

/** Names of the ingest profiles. */
export const INGEST_PROFILES = ['full', 'fast'] as const;

/** An ingest profile (see the module comment). */
export type IngestProfile = (typeof INGEST_PROFILES)[number];

/** Seconds analysed per track by the `fast` profile. */
export const FAST_EXCERPT_S = 30;

/**
 * CNN windows of the `fast` profile: all of a 30 s excerpt (1,292 frames of 512 samples at
 * 22,050 Hz hold 19 windows of 128 frames 64 apart).
 */
export const FAST_MAX_WINDOWS = 20;

/**
 * The analysis options of a profile for one track, over the catalogue defaults
 * (`CATALOG_ANALYSIS`). Imports nothing heavy: the CLI reads the profile names at start-up.
 *
 * @param profile - `full` or `fast`
 * @param durationS - the track's duration from its tags, seconds, or null when unknown (the
 *   `fast` excerpt then starts at 0)
 * @returns options for `analyzeAudio` to spread over `CATALOG_ANALYSIS` (`{}` for `full`; timbre
 *   and fingerprint are set by the caller)
 * @throws SynestheteError `E_CONFIG` for an unknown profile name
 */
export function profileAnalysis(profile: string, durationS: number | null): AnalyzeOptions {
  if (profile === 'full') return {};
  if (profile !== 'fast') {
    throw new SynestheteError(
      'E_CONFIG',
      `unknown ingest profile "${profile}" (use ${INGEST_PROFILES.join(' or ')})`,
    );
  }
  const middle =
    durationS !== null && durationS > FAST_EXCERPT_S ? (durationS - FAST_EXCERPT_S) / 2 : 0;
  return {
    maxAnalysedS: FAST_EXCERPT_S,
    segments: 1,
    maxWindows: FAST_MAX_WINDOWS,
    excerptStartS: Math.floor(middle * 1000) / 1000,
  };
}
