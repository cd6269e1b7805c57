/**
 * Approximate cosine search with hnswlib-node (HNSW graphs, Malkov & Yashunin 2018, "Efficient
 * and robust approximate nearest neighbor search using Hierarchical Navigable Small World
 * graphs"). The addon lives only here, behind {@link AnnIndex}.
 *
 * Parameters: M = 16 and efConstruction = 200 (hnswlib's defaults, its README's recommended
 * range for 0.9+ recall); query-time ef = max({@link HnswIndex.searchEf}, 4k), where `searchEf` is
 * 100 unless set from measured recall (core/index/ef-calibration.ts). hnswlib-node takes `number[]`, not typed
 * arrays, reads labels as uint32, and in `'cosine'` space normalises vectors itself and returns
 * distance = 1 − cos, so similarity = 1 − distance.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import hnswlib from 'hnswlib-node';
import { SynestheteError } from '../util/errors.js';
import type { AnnHit, AnnItem, TunableAnnIndex } from './ann-index.js';
import { checkHnswFile } from './hnsw-file.js';
import { checkDim, checkItems, checkVector, clampK } from './vectors.js';

/** Max graph degree above level 0 (level 0 gets 2M). */
export const HNSW_M = 16;
/** Candidate list size while building. */
export const HNSW_EF_CONSTRUCTION = 200;
/**
 * Smallest query-time candidate list size. 100, not 50: on 1,000,000 synthetic tracks shaped like
 * the real ones (bench/scale.ts, M 16, efConstruction 100) recall@5 against exact search was 0.930
 * at ef 50 and 0.988 at ef 100, query p50 0.35 → 0.51 ms on the 2-core development machine; up to
 * 100,000 tracks both give ≥ 0.999.
 */
export const HNSW_MIN_EF = 100;
/** Fixed seed so builds are reproducible. */
const RANDOM_SEED = 100;

type Native = InstanceType<typeof hnswlib.HierarchicalNSW>;

/** An hnswlib-node HNSW index in cosine space. */
export class HnswIndex implements TunableAnnIndex {
  readonly dim: number;
  readonly #native: Native;
  #searchEf = HNSW_MIN_EF;

  private constructor(native: Native, dim: number) {
    this.#native = native;
    this.dim = dim;
  }

  /**
   * Builds an index (about 45 s for 100k × 128 on these machines).
   *
   * @param items - unique uint32 labels and `dim`-length vectors (normalised or not)
   * @param dim - vector dimension
   * @param params - graph degree `m` (default {@link HNSW_M}) and `efConstruction` (default
   *   {@link HNSW_EF_CONSTRUCTION}); bench/scale.ts measures what 1M tracks need
   * @throws SynestheteError `E_INTERNAL` on a bad or duplicate label or a wrong-length vector
   */
  static build(
    items: readonly AnnItem[],
    dim: number,
    params: { readonly m?: number; readonly efConstruction?: number } = {},
  ): HnswIndex {
    checkItems(items, dim);
    const native = new hnswlib.HierarchicalNSW('cosine', dim);
    native.initIndex({
      maxElements: Math.max(1, items.length),
      m: params.m ?? HNSW_M,
      efConstruction: params.efConstruction ?? HNSW_EF_CONSTRUCTION,
      randomSeed: RANDOM_SEED,
    });
    for (const { label, vector } of items) native.addPoint(Array.from(vector), label);
    return new HnswIndex(native, dim);
  }

  /**
   * Reads an index written by {@link save}, after checking the file's structure (a truncated,
   * overwritten or wrong-dimension file is refused here instead of crashing the addon).
   *
   * @param path - index file
   * @param dim - expected vector dimension
   * @throws SynestheteError `E_EMPTY_CATALOG` ("index unusable") when the file is missing,
   *   corrupt or of another dimension
   */
  static load(path: string, dim: number): HnswIndex {
    checkDim(dim);
    try {
      checkHnswFile(path, dim);
      const native = new hnswlib.HierarchicalNSW('cosine', dim);
      native.readIndexSync(path);
      return new HnswIndex(native, dim);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SynestheteError('E_EMPTY_CATALOG', `index file ${path} is unusable: ${reason}`, {
        cause: error,
      });
    }
  }

  get size(): number {
    return this.#native.getCurrentCount();
  }

  /**
   * The query-time candidate list size used when a query names none (at least 4k is used);
   * default {@link HNSW_MIN_EF}. Set from measured recall by `calibrateEf`.
   *
   * @throws SynestheteError `E_INTERNAL` for a value that is not a positive integer
   */
  get searchEf(): number {
    return this.#searchEf;
  }

  set searchEf(ef: number) {
    if (!Number.isInteger(ef) || ef < 1) {
      throw new SynestheteError('E_INTERNAL', `internal error: HNSW ef ${ef} is invalid`);
    }
    this.#searchEf = ef;
  }

  /**
   * Writes the index to `path` atomically (temporary file, then rename), creating the folder.
   *
   * @throws SynestheteError `E_EMPTY_CATALOG` when the file cannot be written
   */
  save(path: string): void {
    const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.#native.writeIndexSync(tmp);
      renameSync(tmp, path);
    } catch (error) {
      rmSync(tmp, { force: true });
      const reason = error instanceof Error ? error.message : String(error);
      throw new SynestheteError('E_EMPTY_CATALOG', `cannot write index file ${path}: ${reason}`, {
        cause: error,
      });
    }
  }

  /**
   * See {@link AnnIndex.query}. A restrictive `filter` is applied during the graph search, so it
   * may return fewer than `k` hits even when enough items pass.
   *
   * @param ef - size of the search's candidate list (default `max(searchEf, 4k)`); larger is
   *   slower and finds more of the true nearest neighbours (Malkov & Yashunin 2018, §4). Clamped
   *   to at least `k`.
   */
  query(
    vector: Float32Array,
    k: number,
    filter?: (label: number) => boolean,
    ef?: number,
  ): AnnHit[] {
    checkVector(vector, this.dim);
    const wanted = clampK(k, this.size);
    if (wanted === 0) return [];
    this.#native.setEf(Math.max(wanted, Math.round(ef ?? Math.max(this.#searchEf, wanted * 4))));
    const point = Array.from(vector);
    const { neighbors, distances } =
      filter === undefined
        ? this.#native.searchKnn(point, wanted)
        : this.#native.searchKnn(point, wanted, filter);
    return neighbors.map((label, i) => ({ label, similarity: 1 - (distances[i] ?? 1) }));
  }
}
