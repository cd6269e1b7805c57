/**
 * A bounded least-recently-used cache of what the catalogue holds per track (vectors, the facts a
 * result shows), so that repeated answers do not read the same rows again. Emptied whenever the
 * catalogue's indexes change: a new index object comes with every change of the catalogue's
 * version (a re-analysed or re-tagged track keeps its id but not its row).
 *
 * @module
 */

/** Values by track id, at most `capacity` of them, for one owner (e.g. one index object) at a time. */
export class IndexScopedCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<number, V>();
  #owner: unknown;

  /** @param capacity - values kept (integer ≥ 1) */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /**
   * The values of `ids`: those cached, and the rest from `fetch` (then cached), in the map in the
   * order of `ids` (a repeated id once). Ids `fetch` does not return are left out of the answer and
   * asked for again next time. When `owner` differs from the previous call's (e.g. a new index
   * object), the cache is emptied first.
   *
   * @param ids - track ids
   * @param owner - what the cached values belong to; compared by identity
   * @param fetch - reads the missing values (e.g. from the catalogue)
   */
  async get(
    ids: readonly number[],
    owner: unknown,
    fetch: (missing: readonly number[]) => Promise<Map<number, V>>,
  ): Promise<Map<number, V>> {
    if (owner !== this.#owner) {
      this.#entries.clear();
      this.#owner = owner;
    }
    const out = new Map<number, V>();
    const missing: number[] = [];
    for (const id of ids) {
      if (out.has(id)) continue;
      const v = this.#entries.get(id);
      if (v !== undefined) {
        this.#entries.delete(id);
        this.#entries.set(id, v);
      } else missing.push(id);
      out.set(id, v as V); // a placeholder keeps the order of `ids`; filled or dropped below
    }
    if (missing.length > 0) {
      const fetched = await fetch(missing);
      // Kept only while the owner is still the cache's (another call may have moved it on).
      const keep = owner === this.#owner;
      for (const id of missing) {
        const v = fetched.get(id);
        if (v === undefined) out.delete(id);
        else {
          out.set(id, v);
          if (keep) this.#entries.set(id, v);
        }
      }
      while (this.#entries.size > this.#capacity) {
        const oldest = this.#entries.keys().next().value as number;
        this.#entries.delete(oldest);
      }
    }
    return out;
  }
}
