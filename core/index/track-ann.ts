/**
 * Builds the track index for a catalogue's vectors and chooses its query settings from measured
 * recall (core/index/ef-calibration.ts, on the catalogue's own vectors): a projected graph with
 * exact re-ranking (core/index/projected-index.ts) when the vectors are long enough to gain from
 * it — 256 dimensions, or 512 when 256 cannot reach the target recall within
 * {@link MAX_RERANK_DEPTH} re-ranked candidates — else, or when neither can and a graph of the full
 * vectors measures better (vectors whose close neighbours differ in many independent directions),
 * an HNSW graph of the full vectors.
 *
 * @module
 */

import type { AnnItem } from './ann-index.js';
import { calibrateEf, type EfCalibration, type EfCalibrationOptions } from './ef-calibration.js';
import { HnswIndex } from './hnsw-index.js';
import { PROJECTED_DIMS, ProjectedIndex, projects } from './projected-index.js';

/**
 * Deepest re-ranking tried per projected dimension before a larger one (or the full vectors): each
 * candidate re-ranked costs a row read and a full-length dot product, so past this a graph of twice
 * the dimension with half the candidates answers sooner.
 */
export const MAX_RERANK_DEPTH = 128;

/** A built track index with its query settings applied. */
export interface BuiltTrackIndex {
  readonly index: HnswIndex | ProjectedIndex;
  /** What the settings were chosen from. */
  readonly calibration: EfCalibration;
  /**
   * The best recall@k a projected index reached when the full-vector graph was kept instead (it
   * measured higher); absent when a projected index was kept or none was built.
   */
  readonly projectedRecall?: number;
}

/** Graph parameters and calibration options. */
export interface TrackIndexBuildOptions extends EfCalibrationOptions {
  readonly m?: number;
  readonly efConstruction?: number;
}

/**
 * Builds and calibrates the track index (see the module comment).
 *
 * @param items - unique uint32 labels (track ids) and `dim`-length vectors
 * @param dim - vector dimension
 * @param options - graph parameters (defaults as {@link HnswIndex.build}) and calibration options
 *   (defaults as {@link calibrateEf}: recall@5 ≥ 0.99)
 * @returns the index, with `searchEf` (and `rerankDepth`) set
 * @throws SynestheteError `E_INTERNAL` on a bad or duplicate label or a wrong-length vector
 */
export function buildTrackIndex(
  items: readonly AnnItem[],
  dim: number,
  options: TrackIndexBuildOptions = {},
): BuiltTrackIndex {
  const graph = {
    ...(options.m === undefined ? {} : { m: options.m }),
    ...(options.efConstruction === undefined ? {} : { efConstruction: options.efConstruction }),
  };
  const target = options.targetRecall ?? 0.99;
  const calibrate = { ...options, maxDepth: options.maxDepth ?? MAX_RERANK_DEPTH };
  /**
   * The projection that came closest to the target, if none reached it: its dimension and
   * calibration only, so that its graph is not held while the full-vector graph is built (built
   * again, identically, in the rare case it is kept).
   */
  let best: { projectedDim: number; calibration: EfCalibration } | undefined;
  for (const projectedDim of PROJECTED_DIMS) {
    if (!projects(dim, projectedDim)) continue;
    const index = ProjectedIndex.build(items, dim, { ...graph, projectedDim });
    const calibration = calibrateEf(index, items, calibrate);
    if (calibration.recall === null || calibration.recall >= target) {
      return { index: apply(index, calibration), calibration };
    }
    if (best === undefined || calibration.recall > best.calibration.recall!) {
      best = { projectedDim, calibration };
    }
  }
  let full: HnswIndex | undefined = HnswIndex.build(items, dim, graph);
  const calibration = calibrateEf(full, items, options);
  if (best && (calibration.recall ?? 1) < best.calibration.recall!) {
    // Nothing reaches the target: the projection came closer, at a fraction of the memory.
    full = undefined; // not held while the projection is built again
    const index = ProjectedIndex.build(items, dim, { ...graph, projectedDim: best.projectedDim });
    return { index: apply(index, best.calibration), calibration: best.calibration };
  }
  return {
    index: apply(full, calibration),
    calibration,
    ...(best ? { projectedRecall: best.calibration.recall! } : {}),
  };
}

function apply<T extends HnswIndex | ProjectedIndex>(index: T, calibration: EfCalibration): T {
  index.searchEf = calibration.ef;
  if (index instanceof ProjectedIndex && calibration.depth !== undefined) {
    index.rerankDepth = calibration.depth;
  }
  return index;
}
