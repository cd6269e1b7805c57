/**
 * Seeded pseudo-random numbers for reproducible training: mulberry32 (Tommy Ettinger, public
 * domain), a 32-bit generator that is fast and good enough for sampling and augmentation.
 */

/** A seeded generator of uniform numbers in [0, 1). */
export interface Rng {
  (): number;
  /** Current internal state, to checkpoint and resume the exact sequence. */
  state(): number;
}

/**
 * Creates a generator from a 32-bit integer seed (or a saved {@link Rng.state}).
 */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng;
  next.state = () => a;
  return next;
}

/** Uniform number in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Uniform integer in [lo, hi] (inclusive). */
export function randomInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Standard normal sample (Box–Muller transform). */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
