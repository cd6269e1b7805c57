/**
 * Synthetic catalogue vectors shaped like real ones, for index benchmarks past the size of any
 * catalogue we can ingest here. Real track vectors are not uniform on the sphere: they sit in
 * clusters (a soundtrack, a style) with a spread around each. So each synthetic vector is a real
 * vector (chosen at random) plus Gaussian noise with the real data's per-dimension spread, scaled
 * so that a synthetic vector's cosine similarity to its seed matches the similarity of real
 * tracks to their nearest neighbour (measured on the seeds). Then L2-normalised, like every
 * stored vector.
 *
 * @module
 */
import { createRng, gaussian } from '../core/util/random.js';

/** What the seeds look like. */
export interface SeedShape {
  /** Median cosine similarity of a seed to its nearest other seed. */
  readonly medianNeighbourSimilarity: number;
  /** Per-dimension standard deviation of the seeds. */
  readonly std: Float32Array;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function normalize(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v)) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/**
 * Measures the seeds (exact nearest neighbours; fine for the few hundred real tracks).
 *
 * @param seeds - L2-normalised real vectors, all of one length (≥ 2 of them)
 */
export function measureSeeds(seeds: readonly Float32Array[]): SeedShape {
  const dim = seeds[0]?.length ?? 0;
  const nearest = seeds.map((a, i) => {
    let best = -1;
    seeds.forEach((b, j) => {
      if (i !== j) best = Math.max(best, dot(a, b));
    });
    return best;
  });
  nearest.sort((a, b) => a - b);
  const mean = new Float64Array(dim);
  for (const s of seeds) for (let d = 0; d < dim; d++) mean[d]! += s[d]! / seeds.length;
  const std = new Float32Array(dim);
  for (const s of seeds) for (let d = 0; d < dim; d++) std[d]! += (s[d]! - mean[d]!) ** 2;
  for (let d = 0; d < dim; d++) std[d] = Math.sqrt(std[d]! / seeds.length);
  return { medianNeighbourSimilarity: nearest[Math.floor(nearest.length / 2)] ?? 0.9, std };
}

/**
 * Generates `count` synthetic vectors around the seeds (see the module comment).
 *
 * @param seeds - L2-normalised real vectors
 * @param count - how many to make
 * @param seed - random seed (reproducible sets)
 * @returns `count` L2-normalised vectors of the seeds' length
 */
export function syntheticVectors(
  seeds: readonly Float32Array[],
  count: number,
  seed = 1,
): Float32Array[] {
  const shape = measureSeeds(seeds);
  const random = createRng(seed);
  const dim = shape.std.length;
  // Noise of total variance σ²·Σstd² added to a unit vector gives cos ≈ 1/√(1 + σ²·Σstd²).
  let total = 0;
  for (const s of shape.std) total += s * s;
  const target = Math.min(0.999, Math.max(0.2, shape.medianNeighbourSimilarity));
  const sigma = Math.sqrt((1 / (target * target) - 1) / Math.max(total, 1e-12));
  const out: Float32Array[] = [];
  for (let n = 0; n < count; n++) {
    const base = seeds[Math.floor(random() * seeds.length)]!;
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) v[d] = base[d]! + sigma * shape.std[d]! * gaussian(random);
    out.push(normalize(v));
  }
  return out;
}
