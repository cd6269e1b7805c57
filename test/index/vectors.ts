/** Deterministic test vectors: a seeded PRNG and clustered unit vectors. */

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Standard normal samples (Box–Muller) from a uniform source. */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** `v / ‖v‖` in place. */
export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}

/**
 * `count` unit vectors in `clusters` groups: a random unit centre per group plus Gaussian noise of
 * standard deviation `spread` per dimension, renormalised (like embeddings of similar tracks).
 */
export function clusteredVectors(
  seed: number,
  count: number,
  dim: number,
  clusters: number,
  spread: number,
): Float32Array[] {
  const normal = gaussian(prng(seed));
  const centres = Array.from({ length: clusters }, () =>
    normalise(Float32Array.from({ length: dim }, normal)),
  );
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[i % clusters]!;
    return normalise(Float32Array.from(centre, (c) => c + spread * normal()));
  });
}
