/**
 * Fusion of the CNN embedding with full-band timbre statistics (core/features/timbre.ts) into the
 * track vector used for similarity: [√w · cnn, √(1 − w) · t], where t is the timbre vector
 * standardised with training-corpus statistics and L2-normalised, so the fused vector has unit
 * length and its cosine is w · cos(cnn) + (1 − w) · cos(timbre). Catalogue tracks carry both parts.
 * A clip (a voice note, whose high band the phone and the codec have changed) gets zeros in place
 * of t: its ranking is the CNN's alone, and its similarities are divided by √w to stay on the CNN's
 * scale.
 */

/** Fusion settings in metadata.json, chosen on held-out soundtracks by the training pipeline. */
export interface FusionParams {
  /** Weight w of the CNN part, in (0, 1]. */
  readonly weight: number;
  /** Per-dimension mean and standard deviation of the timbre vector over the training tracks. */
  readonly timbreMean: readonly number[];
  readonly timbreStd: readonly number[];
}

/**
 * @param cnn - L2-normalised CNN embedding
 * @param timbre - raw timbre statistics, or null for a clip (CNN part only)
 * @returns the fused unit vector, length cnn.length + timbreMean.length
 */
export function fuseEmbedding(
  cnn: Float32Array,
  timbre: Float32Array | null,
  fusion: FusionParams,
): Float32Array {
  const size = fusion.timbreMean.length;
  const out = new Float32Array(cnn.length + size);
  const a = timbre ? Math.sqrt(fusion.weight) : 1;
  for (let d = 0; d < cnn.length; d++) out[d] = a * cnn[d]!;
  if (!timbre) return out;
  const z = new Float32Array(size);
  let norm = 0;
  for (let d = 0; d < size; d++) {
    z[d] = (timbre[d]! - fusion.timbreMean[d]!) / Math.max(fusion.timbreStd[d]!, 1e-6);
    norm += z[d]! * z[d]!;
  }
  const b = Math.sqrt(1 - fusion.weight) / (Math.sqrt(norm) || 1);
  for (let d = 0; d < size; d++) out[cnn.length + d] = b * z[d]!;
  return out;
}

/** Length of the track vectors a model produces (CNN embedding, plus the timbre part when fused). */
export function trackVectorSize(embeddingSize: number, fusion: FusionParams | undefined): number {
  return embeddingSize + (fusion ? fusion.timbreMean.length : 0);
}
