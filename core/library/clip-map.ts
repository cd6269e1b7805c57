/**
 * The library's clip map: a linear map, fitted on the catalogue itself, that moves a voice note's
 * vector to where its track's catalogue vector would be.
 *
 * A clip's vector (core/model/fusion.ts) lacks the full-band timbre part and describes a few
 * seconds through a phone, not the whole track. For each of a sample of catalogue tracks, ingest
 * stores the vector of one voice-note view of it (a random 10 s excerpt through a random voice-note
 * chain, core/library/voice-note-view.ts); the map is the ridge regression of the track vectors on
 * those views, in residual form:
 *
 *     track ≈ clip + (clip − m_c) · B + m_r,   B = Zᵀ (Z Zᵀ + λ · tr(Z Zᵀ)/n · I)⁻¹ (R − m_r)
 *
 * with Z the centred views (n × d), R = tracks − views, m_c and m_r their means (kernel ridge
 * regression with a linear kernel, Hastie, Tibshirani & Friedman, The Elements of Statistical
 * Learning, 2nd ed., §3.4.1 and §5.8.1). λ → ∞ leaves the mean residual alone (which fills in the
 * missing timbre part with the catalogue's average); λ → 0 interpolates the sample. No labels are
 * used: the catalogue's own tracks are the targets.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';

/**
 * ml-matrix, loaded by the first fit (~25 ms of CPU): a process that reads its catalogue's saved
 * map (`clip-map.bin`), as a cold `recommend` does, never needs it.
 */
let mlMatrix: typeof MlMatrix | undefined;
function matrices(): typeof MlMatrix {
  mlMatrix ??= createRequire(import.meta.url)('ml-matrix') as typeof MlMatrix;
  return mlMatrix;
}

/** A fitted clip map (see the module comment). */
export interface ClipMap {
  /** Vector length d. */
  readonly dim: number;
  /** Mean of the views, m_c (d values). */
  readonly clipMean: Float64Array;
  /** Mean residual track − view, m_r (d values). */
  readonly offset: Float64Array;
  /** The centred views Z, n rows of d (row-major, n × d). */
  readonly basis: Float64Array;
  /** The centred residuals R − m_r, n rows of d (row-major, n × d). */
  readonly residuals: Float64Array;
  /**
   * The lower Cholesky factor L of the regularised Gram matrix Z Zᵀ + λ' I = L Lᵀ (ml-matrix's
   * `CholeskyDecomposition`), n × n row-major.
   */
  readonly factor: Float64Array;
  /** Number of (view, track) pairs it was fitted on, n. */
  readonly pairs: number;
}

/** Settings of {@link fitClipMap}. */
export interface ClipMapOptions {
  /** Ridge penalty λ relative to the mean of the Gram matrix's diagonal (default 0.3). */
  readonly lambda?: number;
  /** Fewest pairs to fit on; with fewer, no map is fitted (default 20). */
  readonly minPairs?: number;
}

/**
 * Default ridge penalty and fewest pairs (see {@link ClipMapOptions}), and how many tracks of a
 * catalogue get a voice-note view (`maxPairs`: ingest spreads them over the catalogue; the map is
 * fitted on at most this many).
 */
export const CLIP_MAP_DEFAULTS = { lambda: 0.3, minPairs: 20, maxPairs: 400 } as const;

/**
 * Fits the clip map on (view, track) vector pairs of one catalogue.
 *
 * @param pairs - each a voice-note view's vector and its track's catalogue vector (`embedding`), both of length
 *   d (pairs of another length are skipped)
 * @param dim - d, the catalogue's vector length
 * @param options - ridge penalty and fewest pairs
 * @returns the map, or undefined when fewer than `minPairs` pairs have length d
 * @throws Error when the regularised Gram matrix is not positive definite (λ ≤ 0)
 */
export function fitClipMap(
  pairs: ReadonlyArray<{ readonly view: Float32Array; readonly embedding: Float32Array }>,
  dim: number,
  options: ClipMapOptions = {},
): ClipMap | undefined {
  const { lambda = CLIP_MAP_DEFAULTS.lambda, minPairs = CLIP_MAP_DEFAULTS.minPairs } = options;
  const usable = pairs.filter((p) => p.view.length === dim && p.embedding.length === dim);
  const n = usable.length;
  if (n < minPairs || n === 0) return undefined;
  const clipMean = new Float64Array(dim);
  const offset = new Float64Array(dim);
  for (const { view, embedding: track } of usable) {
    for (let d = 0; d < dim; d++) {
      clipMean[d]! += view[d]! / n;
      offset[d]! += (track[d]! - view[d]!) / n;
    }
  }
  const basis = new Float64Array(n * dim);
  const residuals = new Float64Array(n * dim);
  for (const [i, { view, embedding: track }] of usable.entries()) {
    for (let d = 0; d < dim; d++) {
      basis[i * dim + d] = view[d]! - clipMean[d]!;
      residuals[i * dim + d] = track[d]! - view[d]! - offset[d]!;
    }
  }
  const { CholeskyDecomposition, Matrix } = matrices();
  // The Gram matrix Z Zᵀ: one dot product of centred views per pair of pairs.
  const gram = Matrix.zeros(n, n);
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let d = 0, a = i * dim, b = j * dim; d < dim; d++) s += basis[a + d]! * basis[b + d]!;
      gram.set(i, j, s);
      gram.set(j, i, s);
    }
    trace += gram.get(i, i);
  }
  const ridge = lambda * (trace / n || 1);
  for (let i = 0; i < n; i++) gram.set(i, i, gram.get(i, i) + ridge);
  const cholesky = new CholeskyDecomposition(gram);
  if (!cholesky.isPositiveDefinite()) {
    throw new Error('clip map: the regularised Gram matrix is not positive definite');
  }
  const factor = Float64Array.from(cholesky.lowerTriangularMatrix.to1DArray());
  return { dim, clipMean, offset, basis, residuals, factor, pairs: n };
}

/**
 * Moves a clip's vector with the map: `clip + (clip − m_c) · Zᵀ · α + m_r`, L2-normalised.
 *
 * @param map - a fitted map
 * @param clip - the clip's vector (`Analysis.vector` of a query), length `map.dim`
 * @returns a unit-length vector comparable with catalogue vectors by dot product (cosine)
 * @throws Error when `clip` does not have length `map.dim`
 */
export function applyClipMap(map: ClipMap, clip: Float32Array): Float32Array {
  const { dim, pairs: n, basis, residuals, clipMean, offset } = map;
  if (clip.length !== dim) {
    throw new Error(`clip map expects ${dim}-d vectors, got ${clip.length}`);
  }
  // u = Z (clip − m_c), then w = (Z Zᵀ + λ' I)⁻¹ u, and the move is (R − m_r)ᵀ w.
  const centred = new Float64Array(dim);
  for (let d = 0; d < dim; d++) centred[d] = clip[d]! - clipMean[d]!;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0, a = i * dim; d < dim; d++) s += basis[a + d]! * centred[d]!;
    w[i] = s;
  }
  solveWithFactor(map.factor, n, w);
  const out = new Float64Array(dim);
  for (let d = 0; d < dim; d++) out[d] = clip[d]! + offset[d]!;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    for (let d = 0, a = i * dim; d < dim; d++) out[d]! += wi * residuals[a + d]!;
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += out[d]! * out[d]!;
  const scale = 1 / (Math.sqrt(norm) || 1);
  const result = new Float32Array(dim);
  for (let d = 0; d < dim; d++) result[d] = out[d]! * scale;
  return result;
}

/**
 * Solves (L Lᵀ) x = b in place by forward then back substitution (Golub & Van Loan, Matrix
 * Computations, 4th ed., §3.1 and §4.2).
 *
 * @param factor - L, n × n row-major lower triangular with a positive diagonal
 * @param n - the order
 * @param b - the right-hand side on entry, x on return (n values)
 */
function solveWithFactor(factor: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0, a = i * n; k < i; k++) s -= factor[a + k]! * b[k]!;
    b[i] = s / factor[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= factor[k * n + i]! * b[k]!;
    b[i] = s / factor[i * n + i]!;
  }
}
