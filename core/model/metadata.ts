/**
 * The model's metadata.json: the one place where feature parameters live. Every stage that needs
 * the sample rate, n_fft, hop length, mel bands or the window size reads them from here, so the
 * spectrogram the model sees at run time is the one it was trained on.
 */

import type { LogMelParams } from '../features/log-mel-params.js';
import type { FusionParams } from './fusion.js';
import type { MusicGateParams } from './music-gate.js';

export type { LogMelParams } from '../features/log-mel-params.js';

/** How the spectrogram is cut into the fixed-size windows the CNN embeds. */
export interface WindowParams {
  /** Frames per window (128 frames × 512 / 22,050 Hz ≈ 2.97 s). */
  readonly frames: number;
  /** Hop between consecutive windows of catalogue tracks, in frames. */
  readonly hopFrames: number;
  /**
   * Hop between the windows of a clip being searched for, in frames (default `hopFrames`). Denser
   * than the catalogue's, so that some clip window starts within queryHopFrames / 2 of every
   * catalogue window, which identification by window matching needs.
   */
  readonly queryHopFrames?: number;
}

/** Contents of models/<name>/metadata.json. */
export interface ModelMetadata {
  /** Model name, e.g. "synesthete-cnn". */
  readonly name: string;
  /** Model version; catalogue embeddings made with another version are stale. */
  readonly version: string;
  readonly features: LogMelParams;
  readonly window: WindowParams;
  /** Embedding size (length of the L2-normalised vector). */
  readonly embeddingSize: number;
  /** Global input normalisation applied to log-mel values: (x - mean) / std. */
  readonly inputNormalization: { readonly mean: number; readonly std: number };
  /**
   * Per-dimension standardisation of L2-normalised window embeddings before they are pooled into
   * the track embedding used for similarity: (e - mean) / std, measured on the training corpus'
   * windows, then L2 normalisation. Identification uses the windows as they are. It removes the common offset of contrastive
   * embeddings (their anisotropy), so cosine similarity ranks by what differs between tracks.
   * Absent in models trained before it existed.
   */
  readonly embeddingNormalization?: {
    readonly mean: readonly number[];
    readonly std: readonly number[];
  };
  /** Fusion with full-band timbre statistics for similarity (see core/model/fusion.ts); absent: CNN only. */
  readonly fusion?: FusionParams;
  /** The music/non-music gate (core/model/music-gate.ts); absent: every clip counts as music. */
  readonly musicGate?: MusicGateParams;
  /** Thresholds that decide when a clip *is* a catalogue track (see core/recommend/identify.ts). */
  readonly matching: { readonly minScore: number; readonly minMargin: number };
  /** Logistic calibration of cosine similarity to confidence (see core/evaluation/calibration.ts). */
  readonly calibration: { readonly a: number; readonly b: number; readonly method: string };
  /** Free-form training record: corpus, packages, steps, seed, windows/s. */
  readonly training?: Record<string, unknown>;
  /** Free-form evaluation figures measured on this exact model. */
  readonly evaluation?: Record<string, unknown>;
}

/** The feature parameters the shipped model uses; tests and tools that need defaults start here. */
export const DEFAULT_LOG_MEL: LogMelParams = {
  sampleRate: 22050,
  nFft: 1024,
  hopLength: 512,
  nMels: 64,
  fMin: 30,
  fMax: 8000,
  logOffset: 1e-6,
};

/** Default window: 128 frames (≈ 2.97 s), hop 64 frames (50 % overlap); clips every 16 frames. */
export const DEFAULT_WINDOW: WindowParams = { frames: 128, hopFrames: 64, queryHopFrames: 16 };
