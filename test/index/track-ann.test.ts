/**
 * The track index is projected when the projection keeps the catalogue's nearest neighbours, and
 * built from the full vectors when it measurably does not.
 */
import { describe, expect, it } from 'vitest';
import { HnswIndex } from '../../core/index/hnsw-index.js';
import { ProjectedIndex } from '../../core/index/projected-index.js';
import { buildTrackIndex } from '../../core/index/track-ann.js';
import { clusteredVectors } from './vectors.js';

const WIDE = 1_024;

describe('buildTrackIndex', () => {
  it('keeps the projected index where it reaches the target recall', () => {
    // 60 clusters of 50: the projection keeps each track's five nearest within the depth.
    const items = clusteredVectors(8, 3_000, WIDE, 60, 0.03).map((vector, label) => ({
      label,
      vector,
    }));
    const built = buildTrackIndex(items, WIDE, { efConstruction: 60 });
    expect(built.index).toBeInstanceOf(ProjectedIndex);
    expect(built.calibration.recall).toBeGreaterThanOrEqual(0.99);
    expect(built.projectedRecall).toBeUndefined();
  });

  it('builds the full-vector graph when the projection cannot reach it at any depth allowed', () => {
    // 10 clusters of 300 near-equidistant vectors: depth 64 re-ranks too few (recall ~0.7).
    const items = clusteredVectors(21, 3_000, WIDE, 10, 0.02).map((vector, label) => ({
      label,
      vector,
    }));
    const built = buildTrackIndex(items, WIDE, { efConstruction: 60, maxDepth: 64 });
    expect(built.index).toBeInstanceOf(HnswIndex);
    expect(built.projectedRecall).toBeLessThan(0.9);
    expect(built.calibration.recall).toBeGreaterThan(built.projectedRecall!);
    expect(built.index.searchEf).toBe(built.calibration.ef);
  });

  it('builds the full-vector graph for short vectors', () => {
    const items = clusteredVectors(2, 500, 64, 5, 0.1).map((vector, label) => ({ label, vector }));
    expect(buildTrackIndex(items, 64).index).toBeInstanceOf(HnswIndex);
  });
});
