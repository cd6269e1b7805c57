/**
 * Builds the track index for a catalogue's vectors and chooses its query settings from measured
 * recall: a projected graph with exact re-ranking (core/index/projected-index.ts) when the vectors
 * are long enough to gain from it, else — or when the projection cannot reach the target recall at
 * any re-ranking depth tried, as on vectors whose close neighbours differ in many independent
 * directions, and a graph of the full vectors measures better — an HNSW graph of the full
 * vectors. Both measure recall on the catalogue's own vectors (core/index/ef-calibration.ts).
 *
 * @module
 */

import type { AnnItem } from './ann-index.js';
import { calibrateEf, type EfCalibration, type EfCalibrationOptions } from './ef-calibration.js';
import { HnswIndex } from './hnsw-index.js';
import { ProjectedIndex, projects } from './projected-index.js';

/** A built track index with its query settings applied. */
export interface BuiltTrackIndex {
  readonly index: HnswIndex | ProjectedIndex;
  /** What the settings were chosen from. */
  readonly calibration: EfCalibration;
  /**
   * The recall@k the projected index reached when the full-vector graph was kept instead (it
   * measured higher); absent when the projected index was kept or never built.
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
  let projected: { index: ProjectedIndex; calibration: EfCalibration } | undefined;
  if (projects(dim)) {
    const index = ProjectedIndex.build(items, dim, graph);
    const calibration = calibrateEf(index, items, options);
    if (calibration.recall === null || calibration.recall >= target) {
      return { index: apply(index, calibration), calibration };
    }
    projected = { index, calibration };
  }
  const full = HnswIndex.build(items, dim, graph);
  const calibration = calibrateEf(full, items, options);
  if (projected && (calibration.recall ?? 1) < projected.calibration.recall!) {
    // Neither reaches the target: the projected one came closer, at a fraction of the memory.
    return {
      index: apply(projected.index, projected.calibration),
      calibration: projected.calibration,
    };
  }
  return {
    index: apply(full, calibration),
    calibration,
    ...(projected ? { projectedRecall: projected.calibration.recall! } : {}),
  };
}

function apply<T extends HnswIndex | ProjectedIndex>(index: T, calibration: EfCalibration): T {
  index.searchEf = calibration.ef;
  if (index instanceof ProjectedIndex && calibration.depth !== undefined) {
    index.rerankDepth = calibration.depth;
  }
  return index;
}
