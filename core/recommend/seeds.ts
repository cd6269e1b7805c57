/**
 * Several seeds, one answer: ways to combine the vectors of several clips or tracks into one
 * ranked list, and which seed each result is closest to.
 *
 * @module
 */

import { cosine } from './variety.js';

/**
 * The centroid of unit-normalised seed vectors (each seed weighs the same whatever its norm).
 *
 * @param vectors - one or more vectors of equal length
 * @returns a new vector of that length (not normalised; cosine search ignores the norm)
 * @throws RangeError when `vectors` is empty
 */
export function seedCentroid(vectors: readonly Float32Array[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new RangeError('no seed vectors');
  const out = new Float32Array(first.length);
  for (const v of vectors) {
    let norm = 0;
    for (const x of v) norm += x * x;
    const w = 1 / (vectors.length * (Math.sqrt(norm) || 1));
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + w * (v[i] ?? 0);
  }
  return out;
}

/**
 * Reciprocal-rank fusion of ranked lists: each item scores Σ 1 / (c + rank) over the lists it is
 * in (rank 1-based; G. Cormack, C. Clarke & S. Büttcher, "Reciprocal rank fusion outperforms
 * Condorcet and individual rank learning methods", SIGIR 2009, with their c = 60).
 *
 * @param lists - ranked ids, best first, one list per seed
 * @param c - the constant (default 60)
 * @returns ids by fused score, best first, each with its score
 */
export function reciprocalRankFusion(
  lists: readonly (readonly number[])[],
  c = 60,
): { id: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((id, i) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (c + i + 1));
    });
  }
  return [...scores.entries()]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score);
}

/**
 * Which seed a result is closest to, by cosine similarity of the vectors.
 *
 * @param vector - the result's vector
 * @param seeds - the seed vectors, in the order the user gave them
 * @returns the 0-based index of the closest seed and that similarity; index −1 for no seeds
 */
export function closestSeed(
  vector: Float32Array,
  seeds: readonly Float32Array[],
): { index: number; similarity: number } {
  let index = -1;
  let similarity = Number.NEGATIVE_INFINITY;
  seeds.forEach((s, i) => {
    const c = cosine(vector, s);
    if (c > similarity) {
      similarity = c;
      index = i;
    }
  });
  return { index, similarity };
}
