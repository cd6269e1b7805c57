/**
 * The track index's query-time ef is chosen from measured recall: on dense clusters where a
 * small graph misses neighbours at the default list, calibration lengthens it until fresh queries
 * reach the target recall; a small catalogue keeps the default unmeasured.
 */
import { describe, expect, it } from 'vitest';
import { calibrateEf, startingEf } from '../../core/index/ef-calibration.js';
import { ExactIndex } from '../../core/index/exact-index.js';
import { HNSW_MIN_EF, HnswIndex } from '../../core/index/hnsw-index.js';
import { ProjectedIndex, RERANK_DEPTH } from '../../core/index/projected-index.js';
import { clusteredVectors } from './vectors.js';

const DIM = 64;
const K = 5;

describe('calibrateEf', () => {
  it('lengthens the list until recall@5 on the catalogue reaches the target, and fresh queries agree', () => {
    // 4,000 vectors around 4 centres, a sparse graph (M 6, efConstruction 30): ef 100 misses some.
    const all = clusteredVectors(11, 4_300, DIM, 4, 0.3);
    const items = all.slice(0, 4_000).map((vector, i) => ({ label: 2 * i + 5, vector }));
    const index = HnswIndex.build(items, DIM, { m: 6, efConstruction: 30 });
    const exact = ExactIndex.build(items, DIM);
    const recall = (ef: number | undefined): number => {
      let found = 0;
      for (const q of all.slice(4_000)) {
        const truth = new Set(exact.query(q, K).map((h) => h.label));
        found += index.query(q, K, undefined, ef).filter((h) => truth.has(h.label)).length;
      }
      return found / (300 * K);
    };
    const before = recall(undefined);
    expect(before).toBeLessThan(0.95); // the default list is too short here

    const chosen = calibrateEf(index, items, { targetRecall: 0.98 });
    expect(chosen.ef).toBeGreaterThan(HNSW_MIN_EF);
    expect(chosen.recall).toBeGreaterThanOrEqual(0.98);
    expect(chosen.queries).toBe(64);
    index.searchEf = chosen.ef;
    expect(recall(undefined)).toBeGreaterThanOrEqual(0.97);
    expect(recall(undefined)).toBeGreaterThan(before);
  });

  it('re-ranks more candidates of a projected index when close neighbours blur in the projection', () => {
    // 10 tight clusters of 300 near-equidistant 1,024-d vectors: the true five differ from the
    // rest of their cluster by less than the 256-d projection keeps.
    const wide = 1_024;
    const all = clusteredVectors(21, 3_100, wide, 10, 0.02);
    const items = all.slice(0, 3_000).map((vector, label) => ({ label, vector }));
    const index = ProjectedIndex.build(items, wide, { efConstruction: 60 });
    const exact = ExactIndex.build(items, wide);
    const recall = (): number => {
      let found = 0;
      for (const q of all.slice(3_000)) {
        const truth = new Set(exact.query(q, K).map((h) => h.label));
        found += index.query(q, K).filter((h) => truth.has(h.label)).length;
      }
      return found / (100 * K);
    };
    const before = recall();
    expect(before).toBeLessThan(0.9);
    const chosen = calibrateEf(index, items, { targetRecall: 0.98 });
    expect(index.rerankDepth).toBe(RERANK_DEPTH); // measuring leaves the index as it was
    expect(chosen.depth).toBeGreaterThan(RERANK_DEPTH);
    expect(chosen.ef).toBe(HNSW_MIN_EF); // a longer list does not help here
    expect(chosen.recall).toBeGreaterThanOrEqual(0.98);
    index.searchEf = chosen.ef;
    index.rerankDepth = chosen.depth!;
    expect(recall()).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps the default, unmeasured, for a small catalogue; starts higher for a large one', () => {
    const items = clusteredVectors(3, 300, DIM, 3, 0.2).map((vector, label) => ({ label, vector }));
    const index = HnswIndex.build(items, DIM);
    expect(calibrateEf(index, items)).toEqual({ ef: HNSW_MIN_EF, recall: null, queries: 0 });
    expect(startingEf(50_000)).toBe(HNSW_MIN_EF);
    expect(startingEf(1_000_000)).toBe(2 * HNSW_MIN_EF);
    expect(startingEf(10_000_000)).toBe(4 * HNSW_MIN_EF);
  });

  it('refuses an invalid ef', () => {
    const index = HnswIndex.build([], DIM);
    expect(() => {
      index.searchEf = 0;
    }).toThrow(/ef 0/);
  });
});
