/**
 * Fusion of the CNN embedding with statistics of the whole recording into the track vector used
 * for similarity: `[√w · cnn, √w_t · t, √w_1 · s_1, …, √w_k · k]`, where `t` is the full-band timbre
 * vector (core/features/timbre.ts), `s_i` the parts of the style statistics (core/features/style.ts)
 * and `k` the tonality statistics (core/features/tonality.ts), each standardised with training-corpus statistics and L2-normalised. The vector has unit length
 * and its cosine is `w · cos(cnn) + w_t · cos(t) + Σ w_i · cos(s_i) + w_k · cos(k)`.
 *
 * Catalogue tracks carry every part. A clip (a voice note, whose high band the phone and the codec
 * have changed) gets zeros in place of `t`; the style statistics come from the model's own
 * 30 Hz–8 kHz spectrogram and the tonality statistics from its 60 Hz–5 kHz chroma, and are kept. Its similarities are scaled by {@link clipSimilarityScale}
 * (a multiplier) to stay on the catalogue's scale.
 */
import { STYLE_PARTS, STYLE_SIZE } from '../features/style.js';
import { TONALITY_SIZE } from '../features/tonality.js';

/** Standardisation of a part, and a clip's correction of it. */
export interface PartStatistics {
  /** Per-dimension mean and standard deviation over the training tracks. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /**
   * A clip's correction: its standardised statistics `z` become `scale · z + offset` per
   * dimension, a least-squares fit of voice-note excerpts to their whole tracks
   * (training/fit-style.ts), so that a clip lands where its track would. Absent: none.
   */
  readonly clip?: { readonly scale: readonly number[]; readonly offset: readonly number[] };
}

/** Fusion settings in metadata.json, chosen on validation soundtracks by the training pipeline. */
export interface FusionParams {
  /** Weight w of the CNN part, in (0, 1]. */
  readonly weight: number;
  /** Per-dimension mean and standard deviation of the timbre vector over the training tracks. */
  readonly timbreMean: readonly number[];
  readonly timbreStd: readonly number[];
  /**
   * The style statistics' parts (core/features/style.ts): their weights, in the order of
   * `STYLE_PARTS`, and the per-dimension mean and standard deviation of the whole style vector
   * over the training tracks. The timbre part then weighs `1 − weight − Σ weights` (less the
   * tonality's weight). Absent: CNN and timbre only (`1 − weight` for the timbre).
   */
  readonly style?: PartStatistics & { readonly weights: readonly number[] };
  /**
   * The tonality statistics (core/features/tonality.ts, `TONALITY_SIZE` values): their weight
   * and standardisation. Only with `style`. Absent: no tonality part.
   */
  readonly tonality?: PartStatistics & { readonly weight: number };
}

/** Weight of the timbre part. */
export function timbreWeight(fusion: FusionParams): number {
  const styleWeight = fusion.style?.weights.reduce((a, b) => a + b, 0) ?? 0;
  const tonalityWeight = fusion.style ? (fusion.tonality?.weight ?? 0) : 0;
  return Math.max(0, 1 - fusion.weight - styleWeight - tonalityWeight);
}

/**
 * What a clip's dot products with catalogue vectors are multiplied by to read as the cosine of the
 * parts the clip has: `1 / (1 − w_t)` with style statistics (the clip lacks the timbre part, and
 * both its vector and the track's other parts have length `√(1 − w_t)`), `1 / √w` for a model
 * without them (whose clip vector is the unit CNN embedding alone); 1 without fusion.
 */
export function clipSimilarityScale(fusion: FusionParams | undefined): number {
  if (!fusion) return 1;
  if (!fusion.style) return 1 / Math.sqrt(fusion.weight);
  return 1 / Math.max(1e-6, 1 - timbreWeight(fusion));
}

/**
 * Writes the standardised part `(v − mean) / std` (corrected, for a clip, when `correction` is
 * given), scaled to length √weight, into `out` at `offset`.
 */
function putPart(
  out: Float32Array,
  offset: number,
  v: Float32Array,
  from: number,
  size: number,
  mean: readonly number[],
  std: readonly number[],
  weight: number,
  correction?: { readonly scale: readonly number[]; readonly offset: readonly number[] },
): void {
  const z = new Float64Array(size);
  let norm = 0;
  for (let d = 0; d < size; d++) {
    z[d] = (v[from + d]! - mean[from + d]!) / Math.max(std[from + d]!, 1e-6);
    if (correction) z[d] = correction.scale[from + d]! * z[d]! + correction.offset[from + d]!;
    norm += z[d]! * z[d]!;
  }
  const b = Math.sqrt(weight) / (Math.sqrt(norm) || 1);
  for (let d = 0; d < size; d++) out[offset + d] = b * z[d]!;
}

/**
 * The fused track vector.
 *
 * @param cnn - L2-normalised CNN embedding
 * @param timbre - raw timbre statistics (20 values), or null for a clip (that part is zeros)
 * @param fusion - the model's fusion settings
 * @param style - raw style statistics (`STYLE_SIZE` values) when the model fuses them; null or
 *   absent for a model without `fusion.style`
 * @param tonality - raw tonality statistics (`TONALITY_SIZE` values) when the model fuses them
 *   (`fusion.tonality`); else ignored
 * @returns the fused vector, length {@link trackVectorSize}: of unit length for a catalogue track,
 *   of length `√(1 − w_t)` for a clip (unit length for a clip of a model without style statistics)
 * @throws Error when the model fuses style or tonality statistics and they are missing
 */
export function fuseEmbedding(
  cnn: Float32Array,
  timbre: Float32Array | null,
  fusion: FusionParams,
  style?: Float32Array | null,
  tonality?: Float32Array | null,
): Float32Array {
  const size = fusion.timbreMean.length;
  const out = new Float32Array(trackVectorSize(cnn.length, fusion));
  if (fusion.style && (!style || style.length !== STYLE_SIZE)) {
    throw new Error(`the model fuses style statistics: expected ${STYLE_SIZE} values`);
  }
  const tonalityPart = fusion.style ? fusion.tonality : undefined;
  if (tonalityPart && (!tonality || tonality.length !== TONALITY_SIZE)) {
    throw new Error(`the model fuses tonality statistics: expected ${TONALITY_SIZE} values`);
  }
  // Without style statistics a clip's CNN part is the unit embedding itself (older models).
  const a = timbre || fusion.style ? Math.sqrt(fusion.weight) : 1;
  for (let d = 0; d < cnn.length; d++) out[d] = a * cnn[d]!;
  if (timbre) {
    const { timbreMean, timbreStd } = fusion;
    putPart(out, cnn.length, timbre, 0, size, timbreMean, timbreStd, timbreWeight(fusion));
  }
  if (!fusion.style || !style) return out;
  let offset = cnn.length + size;
  let from = 0;
  for (const [i, part] of STYLE_PARTS.entries()) {
    const weight = fusion.style.weights[i] ?? 0;
    // A clip (no timbre part) gets the clip correction, when the model has one.
    const correction = timbre ? undefined : fusion.style.clip;
    putPart(
      out,
      offset,
      style,
      from,
      part.size,
      fusion.style.mean,
      fusion.style.std,
      weight,
      correction,
    );
    offset += part.size;
    from += part.size;
  }
  if (tonalityPart && tonality) {
    const { mean, std, weight, clip } = tonalityPart;
    putPart(out, offset, tonality, 0, TONALITY_SIZE, mean, std, weight, timbre ? undefined : clip);
  }
  return out;
}

/** Length of the track vectors a model produces (CNN embedding, plus the fused parts). */
export function trackVectorSize(embeddingSize: number, fusion: FusionParams | undefined): number {
  if (!fusion) return embeddingSize;
  if (!fusion.style) return embeddingSize + fusion.timbreMean.length;
  return (
    embeddingSize + fusion.timbreMean.length + STYLE_SIZE + (fusion.tonality ? TONALITY_SIZE : 0)
  );
}
