/**
 * The nearest-neighbour index interface the engine queries. The native hnswlib-node index
 * ({@link HnswIndex}) and the brute-force reference ({@link ExactIndex}, used in recall tests)
 * both implement it, so nothing outside `core/index` touches the addon (STYLE.md practice 8).
 *
 * @module
 */

/** One neighbour: the item's label and its cosine similarity to the query. */
export interface AnnHit {
  /** The label the item was added with (a non-negative integer < 2^32). */
  label: number;
  /** Cosine similarity in [-1, 1] (1 = same direction). */
  similarity: number;
}

/** A cosine nearest-neighbour index over fixed-dimension vectors. */
export interface AnnIndex {
  /** Vector dimension. */
  readonly dim: number;
  /** Number of items indexed. */
  readonly size: number;
  /**
   * The `k` items most similar to `vector`, best first. Returns fewer than `k` when the index
   * (or the filtered set) is smaller; `[]` for `k ≤ 0` or an empty index.
   *
   * @param vector - query of length {@link dim}; need not be normalised
   * @param k - number of neighbours wanted
   * @param filter - keep only items whose label passes (e.g. drop the query's own track)
   * @throws SynestheteError `E_INTERNAL` when `vector.length !== dim`
   */
  query(vector: Float32Array, k: number, filter?: (label: number) => boolean): AnnHit[];
}

/** An index whose search effort is tunable (HNSW's query-time candidate list size, ef). */
export interface TunableAnnIndex extends AnnIndex {
  /** The candidate list size used when a query names none. */
  searchEf: number;
  /**
   * See {@link AnnIndex.query}.
   *
   * @param ef - the search's candidate list size for this query (default {@link searchEf})
   */
  query(
    vector: Float32Array,
    k: number,
    filter?: (label: number) => boolean,
    ef?: number,
  ): AnnHit[];
}

/** An item to index: a label and its vector. */
export interface AnnItem {
  /** Non-negative integer < 2^32 (hnswlib stores labels as `size_t` but reads them as uint32). */
  label: number;
  vector: Float32Array;
}
