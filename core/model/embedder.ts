/**
 * The embedding model: loads the CNN from models/ (one factory, after tfjs-models
 * speech-commands' `create()`), embeds log-mel windows in batches, and pools window embeddings into
 * one L2-normalised track embedding.
 */
import path from 'node:path';
import { packageRoot } from '../util/paths.js';
import { type BackendName, initBackend, tf } from './backend.js';
import { type CnnArchitecture, type CnnWeights, embedBatchInference, l2Normalize } from './cnn.js';
import type { ModelMetadata } from './metadata.js';
import { loadModelFiles } from './weights-io.js';
import { cutWindows, normalizeWindows, type SpectrogramLike, type Windows } from './windows.js';

/** Embeddings of one recording. */
export interface TrackEmbedding {
  /**
   * Pooled embedding for similarity: mean of the window embeddings after the metadata's
   * standardisation, L2-normalised; length embeddingSize.
   */
  readonly embedding: Float32Array;
  /**
   * windowCount × embeddingSize, each row the L2-normalised CNN output (not standardised); used to
   * identify clips of this track.
   */
  readonly windowEmbeddings: Float32Array;
  readonly windowCount: number;
  /** Start frame of each window over the spectrograms laid end to end (see cutWindows). */
  readonly windowStarts: readonly number[];
}

/** A loaded embedding model. */
export interface EmbeddingModel {
  readonly metadata: ModelMetadata;
  readonly architecture: CnnArchitecture;
  readonly backend: BackendName;
  /** Directory the model was loaded from. */
  readonly dir: string;
  /**
   * Embeds windows (not yet normalised; they are normalised in place).
   * @returns windows.count × embeddingSize, each row L2-normalised
   */
  embedWindows(windows: Windows): Float32Array;
  /**
   * Cuts windows from the spectrogram segments of one recording (at most `maxWindows`, spread over
   * all segments; `hopFrames` apart, default the metadata's window hop), embeds them and pools
   * them.
   */
  embedSpectrograms(
    spectrograms: readonly SpectrogramLike[],
    maxWindows?: number,
    hopFrames?: number,
  ): TrackEmbedding;
  /** Frees the weights. */
  dispose(): void;
}

/** Windows embedded per forward pass. */
const BATCH_SIZE = 32;
/** Default cap on windows per recording (32 × ~3 s with 50 % overlap ≈ 48 s of audio). */
export const DEFAULT_MAX_WINDOWS = 32;

/** The shipped model directory: `SYNESTHETE_MODEL_DIR`, else `<packageRoot>/models/synesthete-cnn`. */
export function defaultModelDir(): string {
  return process.env.SYNESTHETE_MODEL_DIR ?? path.join(packageRoot(), 'models', 'synesthete-cnn');
}

/**
 * Mean of L2-normalised rows, L2-normalised.
 * @param rows - count × dim
 * @returns a vector of length dim (all zeros when count is 0)
 */
export function poolEmbeddings(rows: Float32Array, count: number, dim: number): Float32Array {
  const pooled = new Float32Array(dim);
  for (let r = 0; r < count; r++) {
    for (let d = 0; d < dim; d++) pooled[d]! += rows[r * dim + d]!;
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += pooled[d]! * pooled[d]!;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dim; d++) pooled[d]! /= norm;
  return pooled;
}

/**
 * Per-dimension standardisation (e - mean) / std of each row, then L2 normalisation of each row.
 * @param rows - count × dim, not modified
 * @returns a new count × dim array
 */
export function standardizeRows(
  rows: Float32Array,
  count: number,
  norm: { readonly mean: readonly number[]; readonly std: readonly number[] },
): Float32Array {
  const dim = norm.mean.length;
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) {
      const v = (rows[r * dim + d]! - norm.mean[d]!) / Math.max(norm.std[d]!, 1e-6);
      out[r * dim + d] = v;
      sq += v * v;
    }
    const inv = 1 / (Math.sqrt(sq) || 1);
    for (let d = 0; d < dim; d++) out[r * dim + d]! *= inv;
  }
  return out;
}

/**
 * Builds an {@link EmbeddingModel} from weights already in memory (used by training to evaluate
 * checkpoints, and by {@link loadEmbeddingModel}).
 */
export function createEmbeddingModel(
  architecture: CnnArchitecture,
  weights: CnnWeights,
  metadata: ModelMetadata,
  backend: BackendName,
  dir: string,
): EmbeddingModel {
  const dim = architecture.embeddingSize;
  const embedWindows = (windows: Windows): Float32Array => {
    normalizeWindows(windows, metadata.inputNormalization.std);
    const out = new Float32Array(windows.count * dim);
    const size = windows.frames * windows.nMels;
    for (let start = 0; start < windows.count; start += BATCH_SIZE) {
      const n = Math.min(BATCH_SIZE, windows.count - start);
      const batch = tf.tidy(() => {
        const x = tf.tensor3d(windows.data.subarray(start * size, (start + n) * size), [
          n,
          windows.frames,
          windows.nMels,
        ]);
        return l2Normalize(embedBatchInference(weights, architecture, x));
      });
      out.set(batch.dataSync() as Float32Array, start * dim);
      batch.dispose();
    }
    return out;
  };
  return {
    metadata,
    architecture,
    backend,
    dir,
    embedWindows,
    embedSpectrograms(spectrograms, maxWindows = DEFAULT_MAX_WINDOWS, hopFrames?: number) {
      const windows = cutWindows(
        spectrograms,
        hopFrames ? { ...metadata.window, hopFrames } : metadata.window,
        maxWindows,
      );
      const windowEmbeddings = embedWindows(windows);
      const norm = metadata.embeddingNormalization;
      return {
        embedding: poolEmbeddings(
          norm ? standardizeRows(windowEmbeddings, windows.count, norm) : windowEmbeddings,
          windows.count,
          dim,
        ),
        windowEmbeddings,
        windowCount: windows.count,
        windowStarts: windows.starts ?? [],
      };
    },
    dispose() {
      for (const tensor of Object.values(weights)) tensor.dispose();
    },
  };
}

/**
 * Loads the model from `dir` (default {@link defaultModelDir}) on the best available tfjs backend.
 *
 * @throws SynestheteError `E_MODEL` when files are missing, malformed or disagree
 */
export async function loadEmbeddingModel(dir: string = defaultModelDir()): Promise<EmbeddingModel> {
  const backend = await initBackend();
  const files = await loadModelFiles(dir);
  return createEmbeddingModel(files.architecture, files.weights, files.metadata, backend, dir);
}
