/**
 * Leave-one-out retrieval metrics of music-similarity evaluation: every item is a query against
 * all the others, ranked by cosine similarity; precision@k is the fraction of the k nearest that
 * share the query's label (Pampalk 2006, "Computational Models of Music Similarity", ch. 4; the
 * artist filter of Flexer & Schnitzer 2010 removes same-artist candidates before ranking).
 */

/** Result of {@link leaveOneOutPrecision}. */
export interface PrecisionReport {
  /** Number of queries. */
  readonly n: number;
  /** Mean precision@k over all queries, for each k asked. */
  readonly precisionAtK: Record<string, number>;
  /**
   * Expected precision of a random ranking: mean over queries of
   * (same-label candidates) / (all candidates).
   */
  readonly chance: number;
  /** Per label: number of items and mean precision@k for each k. */
  readonly perLabel: Record<string, { n: number; precisionAtK: Record<string, number> }>;
}

/** Cosine similarity of two L2-normalised vectors (their dot product), in [-1, 1]. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Returns a copy of `v` scaled to unit L2 norm (zeros stay zeros). */
export function normalized(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * s);
}

/**
 * Leave-one-out precision@k.
 *
 * @param vectors - one L2-normalised vector per item (all the same length)
 * @param labels - one label per item
 * @param ks - cut-offs, e.g. [1, 5, 10]
 * @param excludeSame - optional second attribute per item (e.g. artist): candidates sharing it with
 *   the query are removed before ranking
 * @throws Error when the arrays' lengths differ or there are fewer than 2 items
 */
export function leaveOneOutPrecision(
  vectors: readonly Float32Array[],
  labels: readonly string[],
  ks: readonly number[],
  excludeSame?: readonly string[],
): PrecisionReport {
  const n = vectors.length;
  if (n !== labels.length || (excludeSame && excludeSame.length !== n)) {
    throw new Error(
      'leaveOneOutPrecision: vectors, labels and excludeSame must have the same length',
    );
  }
  if (n < 2) throw new Error('leaveOneOutPrecision: needs at least 2 items');
  const sums: Record<string, number> = {};
  const perLabel: Record<string, { n: number; sums: Record<string, number> }> = {};
  let chanceSum = 0;
  let queries = 0;
  for (let q = 0; q < n; q++) {
    const candidates: Array<{ i: number; s: number }> = [];
    for (let i = 0; i < n; i++) {
      if (i === q || (excludeSame && excludeSame[i] === excludeSame[q])) continue;
      candidates.push({ i, s: dot(vectors[q]!, vectors[i]!) });
    }
    if (candidates.length === 0) continue;
    queries++;
    candidates.sort((a, b) => b.s - a.s);
    const label = labels[q]!;
    const same = candidates.filter((c) => labels[c.i] === label).length;
    chanceSum += same / candidates.length;
    perLabel[label] ??= { n: 0, sums: {} };
    const entry = perLabel[label];
    entry.n++;
    for (const k of ks) {
      const top = candidates.slice(0, k);
      const p = top.filter((c) => labels[c.i] === label).length / k;
      sums[k] = (sums[k] ?? 0) + p;
      entry.sums[k] = (entry.sums[k] ?? 0) + p;
    }
  }
  const mean = (s: Record<string, number>, count: number) =>
    Object.fromEntries(ks.map((k) => [String(k), count > 0 ? (s[k] ?? 0) / count : 0]));
  return {
    n: queries,
    precisionAtK: mean(sums, queries),
    chance: queries > 0 ? chanceSum / queries : 0,
    perLabel: Object.fromEntries(
      Object.entries(perLabel).map(([label, e]) => [
        label,
        { n: e.n, precisionAtK: mean(e.sums, e.n) },
      ]),
    ),
  };
}

/**
 * Every (query, neighbour) pair among each vector's `k` nearest others by cosine similarity: what
 * confidence calibration is fitted on and its reliability is measured on.
 *
 * @param vectors - L2-normalised vectors, one per item
 * @param labels - one label per item
 * @param k - neighbours per query (default 10)
 * @returns parallel arrays: the pair's cosine similarity in [-1, 1] and 1 when both share a label
 */
export function neighbourPairs(
  vectors: readonly Float32Array[],
  labels: readonly string[],
  k = 10,
): { similarities: number[]; positives: number[] } {
  const similarities: number[] = [];
  const positives: number[] = [];
  vectors.forEach((q, i) => {
    vectors
      .map((c, j) => ({ j, s: j === i ? Number.NEGATIVE_INFINITY : dot(q, c) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .forEach(({ j, s }) => {
        similarities.push(s);
        positives.push(labels[j] === labels[i] ? 1 : 0);
      });
  });
  return { similarities, positives };
}
