/**
 * Chooses the HNSW query-time candidate list size (`ef`) for a built index from measured recall,
 * not one constant: the recall a given `ef` reaches depends on the catalogue's size and on how
 * its vectors cluster (Malkov & Yashunin 2018, §4 — recall grows with ef, and a larger or more
 * clustered graph needs a longer list for the same recall).
 *
 * Recall@k is measured on a seeded sample of the catalogue's own vectors used as queries (each
 * one's own item left out of both answers) against exact cosine search over every item; `ef`
 * starts at a size-based guess and doubles until the target recall is met or `maxEf` is reached.
 * For a projected index (core/index/projected-index.ts) the number of candidates re-ranked on the
 * full vectors is chosen the same way: each step doubles whichever of the two — the list or the
 * re-ranked depth — measures the higher recall (the list, on a tie), since a projection that
 * blurs the differences between close neighbours is helped by re-ranking more of them, not by a
 * longer list. Catalogues up to `exactBelow` items are not measured: the graph search is
 * exhaustive there in practice.
 *
 * @module
 */

import type { AnnItem, TunableAnnIndex } from './ann-index.js';
import { HNSW_MIN_EF } from './hnsw-index.js';

/** Options of {@link calibrateEf}. */
export interface EfCalibrationOptions {
  /** Neighbours per answer the recall is measured at (default 5). */
  readonly k?: number;
  /** Recall@k to reach, in (0, 1] (default 0.99). */
  readonly targetRecall?: number;
  /** Largest candidate list tried (default 800). */
  readonly maxEf?: number;
  /** Largest re-ranking depth tried for a projected index (default 512). */
  readonly maxDepth?: number;
  /** Sampled queries (default 64 up to 20,000 items, 32 above). */
  readonly queries?: number;
  /** Catalogues of at most this many items keep {@link HNSW_MIN_EF} unmeasured (default 2,000). */
  readonly exactBelow?: number;
  /** Seed of the query sample (default 1). */
  readonly seed?: number;
}

/** What {@link calibrateEf} chose and measured. */
export interface EfCalibration {
  /** The candidate list size to query with. */
  readonly ef: number;
  /** The re-ranking depth to query with (a projected index only). */
  readonly depth?: number;
  /** Recall@k measured at `ef` (and `depth`); null when not measured (a small catalogue). */
  readonly recall: number | null;
  /** Queries the recall was measured on (0 when not measured). */
  readonly queries: number;
}

/**
 * The first candidate list tried for `n` items: {@link HNSW_MIN_EF} up to 100,000 items, then
 * doubled for each tenfold growth (at 1,000,000 real-genre vectors ef 100 reached recall@5 0.95,
 * ef 200 0.998 — docs/scaling.md).
 */
export function startingEf(n: number): number {
  if (n <= 100_000) return HNSW_MIN_EF;
  return HNSW_MIN_EF * 2 ** Math.ceil(Math.log10(n / 100_000));
}

/** Unit-length copy of `v` (zeros stay zeros). */
function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** Labels of the exact top `k` by cosine to `q` (unit), leaving out `skip`. */
function exactTopK(
  items: readonly AnnItem[],
  norms: Float32Array,
  q: Float32Array,
  k: number,
  skip: number,
): Set<number> {
  const best: Array<{ label: number; s: number }> = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.label === skip) continue;
    const v = item.vector;
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d]! * q[d]!;
    const s = norms[i]! > 0 ? dot / norms[i]! : 0;
    if (best.length === k && s <= best[k - 1]!.s) continue;
    best.push({ label: item.label, s });
    best.sort((a, b) => b.s - a.s);
    if (best.length > k) best.pop();
  }
  return new Set(best.map((b) => b.label));
}

/** A seeded sample of `count` distinct indices in [0, n) (mulberry32). */
function sample(n: number, count: number, seed: number): number[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, n)) chosen.add(Math.floor(next() * n));
  return [...chosen];
}

/**
 * Measures recall@k of `index` over `items` (the vectors it was built from) and chooses `ef` (and,
 * for a projected index, the re-ranking depth). Leaves the index's own settings as they were.
 *
 * @param index - the built index (an HNSW graph, or a projected one with a `rerankDepth`)
 * @param items - the same labels and vectors the index holds
 * @param options - see {@link EfCalibrationOptions}
 * @returns the chosen `ef` (and `depth`) with the recall measured there; the largest tried when
 *   the target is never reached
 */
export function calibrateEf(
  index: TunableAnnIndex & { rerankDepth?: number },
  items: readonly AnnItem[],
  options: EfCalibrationOptions = {},
): EfCalibration {
  const n = items.length;
  const k = options.k ?? 5;
  const target = options.targetRecall ?? 0.99;
  const maxEf = Math.max(HNSW_MIN_EF, options.maxEf ?? 800);
  const startDepth = index.rerankDepth;
  const maxDepth = Math.max(startDepth ?? 0, options.maxDepth ?? 512);
  if (n <= (options.exactBelow ?? 2_000) || n <= k + 1) {
    return {
      ef: HNSW_MIN_EF,
      ...(startDepth === undefined ? {} : { depth: startDepth }),
      recall: null,
      queries: 0,
    };
  }
  const norms = new Float32Array(n);
  items.forEach((item, i) => {
    let s = 0;
    for (let d = 0; d < item.vector.length; d++) s += item.vector[d]! * item.vector[d]!;
    norms[i] = Math.sqrt(s);
  });
  const picks = sample(n, options.queries ?? (n <= 20_000 ? 64 : 32), options.seed ?? 1);
  const probes = picks.map((i) => {
    const item = items[i]!;
    const q = unit(item.vector);
    return { label: item.label, q, truth: exactTopK(items, norms, q, k, item.label) };
  });
  const measure = (ef: number, depth: number | undefined): number => {
    if (depth !== undefined) index.rerankDepth = depth;
    let hits = 0;
    let total = 0;
    for (const { label, q, truth } of probes) {
      const got = index
        .query(q, k + 1, undefined, ef)
        .filter((h) => h.label !== label)
        .slice(0, k);
      hits += got.filter((h) => truth.has(h.label)).length;
      total += truth.size;
    }
    return total > 0 ? hits / total : 1;
  };
  try {
    let ef = Math.min(maxEf, startingEf(n));
    let depth = startDepth;
    let recall = measure(ef, depth);
    for (;;) {
      const canDeepen = depth !== undefined && depth < maxDepth;
      if (recall >= target || (ef >= maxEf && !canDeepen)) {
        return {
          ef,
          ...(depth === undefined ? {} : { depth }),
          recall,
          queries: probes.length,
        };
      }
      const longer = ef < maxEf ? { ef: Math.min(maxEf, ef * 2), depth } : undefined;
      const deeper =
        canDeepen && depth !== undefined ? { ef, depth: Math.min(maxDepth, depth * 2) } : undefined;
      const longerRecall = longer ? measure(longer.ef, longer.depth) : -1;
      const deeperRecall = deeper ? measure(deeper.ef, deeper.depth) : -1;
      if (longer && longerRecall >= deeperRecall) {
        ({ ef, depth } = longer);
        recall = longerRecall;
      } else if (deeper) {
        ({ ef, depth } = deeper);
        recall = deeperRecall;
      }
    }
  } finally {
    if (startDepth !== undefined) index.rerankDepth = startDepth;
  }
}
