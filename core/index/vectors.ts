/**
 * Small vector helpers shared by the index implementations: argument checks and normalisation.
 *
 * @module
 */

import { SynestheteError } from '../util/errors.js';
import type { AnnItem } from './ann-index.js';

/** Largest label hnswlib-node can round-trip (it converts labels with `Uint32Value`). */
export const MAX_LABEL = 0xffff_ffff;

/**
 * Checks items before indexing: every vector has length `dim` and finite values, every label is
 * an integer in [0, 2^32) and unique.
 *
 * @throws SynestheteError `E_INTERNAL` naming the first offending item
 */
export function checkItems(items: readonly AnnItem[], dim: number): void {
  checkDim(dim);
  const seen = new Set<number>();
  for (const { label, vector } of items) {
    if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) {
      throw new SynestheteError(
        'E_INTERNAL',
        `internal error: index label ${label} is not a uint32`,
      );
    }
    if (seen.has(label)) {
      throw new SynestheteError('E_INTERNAL', `internal error: index label ${label} is duplicated`);
    }
    seen.add(label);
    checkVector(vector, dim, `item ${label}`);
  }
}

/** @throws SynestheteError `E_INTERNAL` unless `dim` is a positive integer */
export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) {
    throw new SynestheteError('E_INTERNAL', `internal error: index dimension ${dim} is invalid`);
  }
}

/** @throws SynestheteError `E_INTERNAL` unless `vector` has length `dim` and finite values */
export function checkVector(vector: Float32Array, dim: number, what = 'query'): void {
  if (vector.length !== dim) {
    throw new SynestheteError(
      'E_INTERNAL',
      `internal error: ${what} vector has ${vector.length} dimensions, the index has ${dim}`,
    );
  }
  for (const v of vector) {
    if (!Number.isFinite(v)) {
      throw new SynestheteError('E_INTERNAL', `internal error: ${what} vector is not finite`);
    }
  }
}

/**
 * `vector / ‖vector‖₂` as a new array; a zero vector stays zero (its cosine with anything is 0).
 */
export function normalised(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const out = new Float32Array(vector.length);
  if (sum === 0) return out;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] ?? 0) * inv;
  return out;
}

/** Clamps a requested neighbour count to [0, size] as an integer. */
export function clampK(k: number, size: number): number {
  if (!Number.isFinite(k) || k <= 0) return 0;
  return Math.min(Math.floor(k), size);
}
