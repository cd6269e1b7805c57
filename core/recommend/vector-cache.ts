/**
 * A bounded least-recently-used cache of catalogue track vectors, so that the variety rules and
 * tag votes of repeated answers do not read the same rows again. Cleared by its owner whenever the
 * catalogue's indexes change (a re-analysed track keeps its id but not its vector).
 *
 * @module
 */

/** Vectors by track id, at most `capacity` of them. */
export class VectorCache {
  readonly #capacity: number;
  readonly #entries = new Map<number, Float32Array>();
  #owner: unknown;

  /** @param capacity - vectors kept (integer ≥ 1) */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /**
   * The vectors of `ids`: those cached, and the rest from `fetch` (then cached). Ids `fetch` does
   * not return are left out of the answer. When `owner` differs from the previous call's (e.g. a
   * new index object), the cache is emptied first.
   *
   * @param ids - track ids
   * @param owner - what the cached vectors belong to; compared by identity
   * @param fetch - reads missing vectors (e.g. from the catalogue)
   */
  async get(
    ids: readonly number[],
    owner: unknown,
    fetch: (missing: readonly number[]) => Promise<Map<number, Float32Array>>,
  ): Promise<Map<number, Float32Array>> {
    if (owner !== this.#owner) {
      this.#entries.clear();
      this.#owner = owner;
    }
    const out = new Map<number, Float32Array>();
    const missing: number[] = [];
    for (const id of ids) {
      const v = this.#entries.get(id);
      if (v) {
        this.#entries.delete(id);
        this.#entries.set(id, v);
        out.set(id, v);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      for (const [id, v] of await fetch(missing)) {
        out.set(id, v);
        this.#entries.set(id, v);
      }
      while (this.#entries.size > this.#capacity) {
        const oldest = this.#entries.keys().next().value as number;
        this.#entries.delete(oldest);
      }
    }
    return out;
  }
}
