/**
 * Nearest-rank percentile of `samples`: the ⌈p·n/100⌉-th smallest sample.
 *
 * @param samples - any order (not modified), e.g. milliseconds
 * @param p - percentile, 0 < p ≤ 100
 * @returns the sample at that rank; NaN for no samples
 */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? Number.NaN;
}
