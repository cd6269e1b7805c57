/**
 * The MFCC-statistics baseline of music-similarity evaluation (Logan & Salomon 2001; the
 * "MFCC statistics + cosine" figure of ../shared/DATA.md): per track, the mean and standard
 * deviation of 20 MFCCs, each dimension z-scored over the collection, compared by cosine.
 */
import { mfccStatistics } from '../features/mfcc.js';
import type { SpectrogramLike } from '../model/windows.js';
import { normalized } from './precision.js';

/**
 * Baseline vectors for a collection.
 *
 * @param spectrograms - one log-mel spectrogram per track
 * @returns one L2-normalised vector (40 values) per track
 */
export function mfccBaselineVectors(spectrograms: readonly SpectrogramLike[]): Float32Array[] {
  const raw = spectrograms.map((s) => mfccStatistics(s, 20));
  const dim = raw[0]?.length ?? 0;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (const v of raw) for (let d = 0; d < dim; d++) mean[d]! += v[d]! / raw.length;
  for (const v of raw) for (let d = 0; d < dim; d++) sq[d]! += (v[d]! - mean[d]!) ** 2 / raw.length;
  return raw.map((v) => normalized(v.map((x, d) => (x - mean[d]!) / (Math.sqrt(sq[d]!) || 1))));
}
