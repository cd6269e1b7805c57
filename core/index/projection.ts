/**
 * A seeded random projection to fewer dimensions that keeps cosine similarities close: the
 * subsampled randomized Hadamard transform (SRHT; Ailon & Chazelle 2009, "The fast
 * Johnson–Lindenstrauss transform"; Tropp 2011, "Improved analysis of the subsampled randomized
 * Hadamard transform").
 *
 * `y = (1/√m) · S · H · D · x`, where `x` is zero-padded to `L = 2^⌈log₂ n⌉`, `D` flips the sign of
 * each coordinate at random, `H` is the (unnormalised, ±1) Walsh–Hadamard matrix and `S` keeps `m`
 * of the `L` coordinates chosen at random. `H·D` spreads every input coordinate over all outputs,
 * so keeping `m` of them works whatever the data looks like; then `E‖y‖² = ‖x‖²` and inner products
 * are kept up to a distortion that shrinks as `1/√m`. One projection costs `L·log₂ L` additions
 * (the fast Walsh–Hadamard transform), not the `n·m` multiplications of a dense Gaussian matrix.
 *
 * @module
 */

import { SynestheteError } from '../util/errors.js';
import { createRng } from '../util/random.js';

/** A seeded SRHT from `inputDim` to `outputDim` dimensions. Not thread-safe (one scratch buffer). */
export class RandomProjection {
  /** Dimension of the vectors projected. */
  readonly inputDim: number;
  /** Dimension of the projected vectors. */
  readonly outputDim: number;
  /** Seed the signs and the kept coordinates were drawn from. */
  readonly seed: number;
  /** ±1 per padded coordinate (`D`). */
  readonly #signs: Float64Array;
  /** The `outputDim` kept coordinates of the transform (`S`), ascending. */
  readonly #kept: Uint32Array;
  readonly #work: Float64Array;
  readonly #scale: number;

  /**
   * @param inputDim - dimension of the input vectors (integer ≥ 1)
   * @param outputDim - dimension of the output (integer in [1, padded input dimension])
   * @param seed - 32-bit seed; the same seed gives the same projection in every process
   * @throws SynestheteError `E_INTERNAL` for dimensions out of range
   */
  constructor(inputDim: number, outputDim: number, seed: number) {
    const padded = 2 ** Math.ceil(Math.log2(Math.max(1, inputDim)));
    if (
      !Number.isInteger(inputDim) ||
      inputDim < 1 ||
      !Number.isInteger(outputDim) ||
      outputDim < 1 ||
      outputDim > padded
    ) {
      throw new SynestheteError(
        'E_INTERNAL',
        `internal error: cannot project ${inputDim} dimensions to ${outputDim}`,
      );
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.seed = seed >>> 0;
    const random = createRng(this.seed);
    this.#signs = Float64Array.from({ length: padded }, () => (random() < 0.5 ? -1 : 1));
    // Partial Fisher–Yates: the first outputDim entries of a random permutation of 0…padded−1.
    const order = Uint32Array.from({ length: padded }, (_, i) => i);
    for (let i = 0; i < outputDim; i++) {
      const j = i + Math.floor(random() * (padded - i));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    this.#kept = order.slice(0, outputDim).sort();
    this.#work = new Float64Array(padded);
    this.#scale = 1 / Math.sqrt(outputDim);
  }

  /**
   * Projects one vector.
   *
   * @param vector - `inputDim` finite values (any scale: the projection is linear)
   * @param out - where to write the result (a new array when omitted)
   * @returns `outputDim` values; its norm is close to the input's
   * @throws SynestheteError `E_INTERNAL` when `vector` or `out` has the wrong length
   */
  project(vector: Float32Array, out = new Float32Array(this.outputDim)): Float32Array {
    if (vector.length !== this.inputDim || out.length !== this.outputDim) {
      throw new SynestheteError(
        'E_INTERNAL',
        `internal error: projecting ${vector.length} → ${out.length} dimensions with a ${this.inputDim} → ${this.outputDim} projection`,
      );
    }
    const work = this.#work;
    const signs = this.#signs;
    const n = work.length;
    for (let i = 0; i < this.inputDim; i++) work[i] = vector[i]! * signs[i]!;
    work.fill(0, this.inputDim);
    // In-place fast Walsh–Hadamard transform (butterflies of width h = 1, 2, 4, …).
    for (let h = 1; h < n; h *= 2) {
      for (let i = 0; i < n; i += 2 * h) {
        for (let j = i; j < i + h; j++) {
          const a = work[j]!;
          const b = work[j + h]!;
          work[j] = a + b;
          work[j + h] = a - b;
        }
      }
    }
    const kept = this.#kept;
    for (let i = 0; i < kept.length; i++) out[i] = work[kept[i]!]! * this.#scale;
    return out;
  }
}
