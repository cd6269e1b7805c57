/**
 * Chooses how much full-band timbre statistics should weigh against the CNN embedding
 * (core/model/fusion.ts): statistics from the training tracks, the weight from held-out
 * soundtracks, picked by leave-one-out precision@5 of same-soundtrack neighbours.
 */
import { decodeAudio } from '../core/audio/decode.js';
import { leaveOneOutPrecision } from '../core/evaluation/precision.js';
import { TIMBRE_PARAMS, timbreStatistics } from '../core/features/timbre.js';
import { type FusionParams, fuseEmbedding } from '../core/model/fusion.js';
import type { CorpusItem } from './corpus.js';

/** Timbre statistics of corpus files (decoded at 44,100 Hz, 60 s spread over each); failures are skipped. */
export async function corpusTimbre(
  items: readonly CorpusItem[],
  concurrency: number,
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const item = items[next++];
      if (!item) return;
      try {
        const decoded = await decodeAudio(item.file, {
          sampleRate: TIMBRE_PARAMS.sampleRate,
          maxAnalysedS: 60,
          segments: 3,
          timeoutMs: 120_000,
        });
        out.set(item.file, timbreStatistics(decoded.pcm));
      } catch {
        // unreadable files were already reported by the cache
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return out;
}

/**
 * Weights of the track vector's parts (core/model/fusion.ts) when style statistics are fused:
 * the CNN embedding, then the style parts in the order of `STYLE_PARTS` (MFCC moments, MFCC
 * covariance, modulation spectrum), then the tonality statistics (core/features/tonality.ts); the
 * full-band timbre gets the rest. Chosen on the validation soundtracks and measured on real music
 * (docs/similarity.md).
 */
export const STYLE_FUSION = {
  cnnWeight: 0.25,
  styleWeights: [0.08, 0.17, 0.17],
  tonalityWeight: 0.17,
} as const;

/**
 * The weights of the five parts without the tonality statistics (chosen on the validation
 * soundtracks before that part existed), for a model whose fit has no PCM to compute them from:
 * `synesthete train`'s pipeline, which reads cached spectrograms. `npm run fit-style` then moves
 * such a model to {@link STYLE_FUSION}.
 */
export const STYLE_FUSION_WITHOUT_TONALITY = {
  cnnWeight: 0.3,
  styleWeights: [0.1, 0.2, 0.2],
} as const;

/** Per-dimension mean and standard deviation. */
export function columnStatistics(vectors: readonly Float32Array[]): {
  mean: number[];
  std: number[];
} {
  const dim = vectors[0]?.length ?? 0;
  const mean = new Array<number>(dim).fill(0);
  const sq = new Array<number>(dim).fill(0);
  for (const v of vectors) for (let d = 0; d < dim; d++) mean[d]! += v[d]! / vectors.length;
  for (const v of vectors)
    for (let d = 0; d < dim; d++) sq[d]! += (v[d]! - mean[d]!) ** 2 / vectors.length;
  return {
    mean: mean.map((x) => Number(x.toFixed(6))),
    std: sq.map((x) => Number(Math.sqrt(x).toFixed(6))),
  };
}

/** Result of {@link chooseFusionWeight}. */
export interface FusionChoice {
  /** Chosen CNN weight; 1 means fusion does not help and is left off. */
  readonly weight: number;
  /** Held-out precision@5 for each weight tried (1 = CNN only, 0 = timbre only). */
  readonly precisionAt5ByWeight: Record<string, number>;
}

/**
 * Tries CNN weights from 1 (CNN only) to 0 (timbre only) on held-out tracks.
 *
 * @param cnn - pooled CNN embeddings of the held-out tracks
 * @param timbre - their raw timbre statistics (same order)
 * @param labels - their soundtracks
 * @param stats - timbre statistics of the training tracks
 */
export function chooseFusionWeight(
  cnn: readonly Float32Array[],
  timbre: readonly Float32Array[],
  labels: readonly string[],
  stats: { mean: number[]; std: number[] },
): FusionChoice {
  const table: Record<string, number> = {};
  let best = { weight: 1, p: -1 };
  for (const weight of [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0]) {
    const params: FusionParams = { weight, timbreMean: stats.mean, timbreStd: stats.std };
    const vectors = cnn.map((c, i) => fuseEmbedding(c, timbre[i]!, params));
    const p = leaveOneOutPrecision(vectors, labels, [5]).precisionAtK['5'] ?? 0;
    table[weight.toFixed(1)] = Number(p.toFixed(4));
    if (weight > 0 && p > best.p + 1e-9) best = { weight, p };
  }
  return { weight: best.weight, precisionAt5ByWeight: table };
}
