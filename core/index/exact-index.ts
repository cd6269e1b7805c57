/**
 * Brute-force cosine search: exact, O(n·dim) per query. The reference that HNSW recall is measured
 * against, and good enough on its own for small catalogues.
 *
 * @module
 */

import type { AnnHit, AnnIndex, AnnItem } from './ann-index.js';
import { checkItems, checkVector, clampK, normalised } from './vectors.js';

/** Exact cosine nearest-neighbour index (all vectors normalised once, at build time). */
export class ExactIndex implements AnnIndex {
  readonly dim: number;
  readonly #labels: Uint32Array;
  /** Normalised vectors, row-major `size × dim`. */
  readonly #matrix: Float32Array;

  private constructor(dim: number, labels: Uint32Array, matrix: Float32Array) {
    this.dim = dim;
    this.#labels = labels;
    this.#matrix = matrix;
  }

  /**
   * Builds the index.
   *
   * @param items - labels (unique integers in [0, 2^32)) and vectors of length `dim`
   * @param dim - vector dimension
   * @throws SynestheteError `E_INTERNAL` on a bad label, a duplicate label or a wrong-length vector
   */
  static build(items: readonly AnnItem[], dim: number): ExactIndex {
    checkItems(items, dim);
    const labels = new Uint32Array(items.length);
    const matrix = new Float32Array(items.length * dim);
    items.forEach((item, i) => {
      labels[i] = item.label;
      matrix.set(normalised(item.vector), i * dim);
    });
    return new ExactIndex(dim, labels, matrix);
  }

  get size(): number {
    return this.#labels.length;
  }

  /** See {@link AnnIndex.query}; ties keep insertion order. */
  query(vector: Float32Array, k: number, filter?: (label: number) => boolean): AnnHit[] {
    checkVector(vector, this.dim);
    const wanted = clampK(k, this.size);
    if (wanted === 0) return [];
    const q = normalised(vector);
    const dim = this.dim;
    const best: AnnHit[] = [];
    for (let i = 0; i < this.#labels.length; i++) {
      const label = this.#labels[i] ?? 0;
      if (filter !== undefined && !filter(label)) continue;
      let dot = 0;
      const base = i * dim;
      for (let j = 0; j < dim; j++) dot += (q[j] ?? 0) * (this.#matrix[base + j] ?? 0);
      if (best.length === wanted && dot <= (best[wanted - 1]?.similarity ?? -Infinity)) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1]?.similarity ?? 0) < dot) at--;
      best.splice(at, 0, { label, similarity: dot });
      if (best.length > wanted) best.pop();
    }
    return best;
  }
}
