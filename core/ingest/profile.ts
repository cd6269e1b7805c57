/**
 * How much of each catalogue track ingest analyses. Both profiles decode one 30 s excerpt from the
 * middle of the track at 44.1 kHz — Musly's excerpt length (Schnitzer et al., musly.org: "musly
 * -x 30"), read by seeking to it (core/audio/decode.ts) and halved in process to the model's
 * 22,050 Hz (core/audio/decimate.ts) — and take from it the timbre statistics, the descriptors,
 * the tempo and CNN windows.
 *
 * - `full` (the default) also decodes stripes spread over the whole track, at 44.1 kHz too
 *   ({@link FULL_STRIPES}: 8 s of every 12 s), fingerprints them, and takes CNN windows, timbre
 *   and style statistics from them, so that a voice note from any moment of the track meets at
 *   least 6 s of fingerprinted audio and is named, and the track's vector describes all of it.
 * - `fast`: the excerpt only. What it gives up: identification. A clip is only named when it comes
 *   from the fingerprinted 30 s; from anywhere else in the track it gets recommendations but no
 *   "this sounds like …".
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
 * Stripes of the `full` profile: `lengthS` seconds of every `periodS`, spread over the whole track,
 * fingerprinted and embedded besides the excerpt. A 10 s clip from anywhere meets at least
 * `lengthS − (periodS − 10)` seconds of them.
 */
export const FULL_STRIPES = { lengthS: 8, periodS: 12 } as const;

/** CNN windows of the `full` profile: the excerpt's and the stripes', spread over both. */
export const FULL_MAX_WINDOWS = 48;

/**
 * The analysis options of a profile for one track, over the catalogue defaults
 * (`CATALOG_ANALYSIS`). Imports nothing heavy: the CLI reads the profile names at start-up.
 *
 * @param profile - `full` or `fast`
 * @param durationS - the track's duration from its tags or Ogg pages, seconds, or null when
 *   unknown (the excerpt then starts at 0)
 * @returns options for `analyzeAudio` to spread over `CATALOG_ANALYSIS`: the excerpt, and for
 *   `full` the stripes and {@link FULL_MAX_WINDOWS} (timbre and fingerprint are set by the caller)
 * @throws SynestheteError `E_CONFIG` for an unknown profile name
 */
export function profileAnalysis(profile: string, durationS: number | null): AnalyzeOptions {
  if (profile !== 'fast' && profile !== 'full') {
    throw new SynestheteError(
      'E_CONFIG',
      `unknown ingest profile "${profile}" (use ${INGEST_PROFILES.join(' or ')})`,
    );
  }
  const middle =
    durationS !== null && durationS > FAST_EXCERPT_S ? (durationS - FAST_EXCERPT_S) / 2 : 0;
  const excerpt = {
    maxAnalysedS: FAST_EXCERPT_S,
    segments: 1,
    maxWindows: FAST_MAX_WINDOWS,
    excerptStartS: Math.floor(middle * 1000) / 1000,
  };
  return profile === 'fast'
    ? excerpt
    : { ...excerpt, maxWindows: FULL_MAX_WINDOWS, stripes: FULL_STRIPES };
}
