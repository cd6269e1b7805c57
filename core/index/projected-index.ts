/**
 * A compact track index for large catalogues: the HNSW graph holds a random projection of each
 * track vector to {@link PROJECTED_DIM} dimensions (core/index/projection.ts), and the answer is
 * re-ranked by exact cosine similarity on the full vectors of the graph's best
 * {@link RERANK_DEPTH} candidates, read from a row file (core/index/row-vectors.ts) that stays on
 * disk. The graph of 1,000,000 tracks then takes ~1.2 KB a track in memory instead of ~5.6 KB, and
 * each distance the search computes costs a fifth; the similarities returned are the exact cosine
 * of the full vectors, as from {@link HnswIndex}. The "search a compressed index, re-rank with the
 * originals" scheme is Jégou, Douze & Schmid 2011 ("Product quantization for nearest neighbor
 * search", §4's re-ranking), here with a projection instead of a quantiser.
 *
 * Graph labels are row numbers; the row file maps rows to item labels (track ids).
 *
 * @module
 */

import { SynestheteError } from '../util/errors.js';
import type { AnnHit, AnnItem, TunableAnnIndex } from './ann-index.js';
import { HnswIndex } from './hnsw-index.js';
import { RandomProjection } from './projection.js';
import {
  FileRowVectors,
  MemoryRowVectors,
  type RowVectors,
  writeRowVectors,
} from './row-vectors.js';
import { checkItems, checkVector, clampK, normalised } from './vectors.js';

/** Dimension of the projected vectors the graph holds. */
export const PROJECTED_DIM = 256;
/** Fewest graph candidates re-ranked on the full vectors (at least twice the k asked for). */
export const RERANK_DEPTH = 64;
/** Seed of the projection (kept in the index's sidecar; any fixed value works). */
export const PROJECTION_SEED = 0x5e5e;

/**
 * Projected dimensions tried, smallest first, when a track index is built
 * (core/index/track-ann.ts): the first whose recall reaches the target is kept.
 */
export const PROJECTED_DIMS = [PROJECTED_DIM, 2 * PROJECTED_DIM] as const;

/**
 * Whether `dim`-dimensional vectors are worth projecting to `projectedDim`: only when it saves at
 * least half the graph's vector memory.
 */
export function projects(dim: number, projectedDim: number = PROJECTED_DIM): boolean {
  return dim >= 2 * projectedDim;
}

/** A projected HNSW graph with exact re-ranking on the full vectors. */
export class ProjectedIndex implements TunableAnnIndex {
  /** Dimension of the full vectors (queries have this length). */
  readonly dim: number;
  readonly projection: RandomProjection;
  readonly #graph: HnswIndex;
  readonly #labels: Uint32Array;
  #rows: RowVectors;
  readonly #row: Float32Array;
  #rerankDepth = RERANK_DEPTH;

  private constructor(
    graph: HnswIndex,
    projection: RandomProjection,
    labels: Uint32Array,
    rows: RowVectors,
  ) {
    this.#graph = graph;
    this.projection = projection;
    this.dim = projection.inputDim;
    this.#labels = labels;
    this.#rows = rows;
    this.#row = new Float32Array(this.dim);
  }

  /**
   * Builds the index; the items' vectors are kept by reference (not copied) until {@link save}.
   *
   * @param items - unique uint32 labels and `dim`-length vectors (normalised or not)
   * @param dim - full vector dimension
   * @param params - projected dimension (default {@link PROJECTED_DIM}, at most `dim`), seed, and
   *   the graph's `m` and `efConstruction` (defaults as {@link HnswIndex.build})
   * @throws SynestheteError `E_INTERNAL` on a bad or duplicate label or a wrong-length vector
   */
  static build(
    items: readonly AnnItem[],
    dim: number,
    params: {
      readonly projectedDim?: number;
      readonly seed?: number;
      readonly m?: number;
      readonly efConstruction?: number;
    } = {},
  ): ProjectedIndex {
    checkItems(items, dim);
    const projection = new RandomProjection(
      dim,
      Math.min(dim, params.projectedDim ?? PROJECTED_DIM),
      params.seed ?? PROJECTION_SEED,
    );
    const projected = items.map(({ vector }, row) => ({
      label: row,
      vector: projection.project(normalised(vector)),
    }));
    const graph = HnswIndex.build(projected, projection.outputDim, params);
    const labels = Uint32Array.from(items, (item) => item.label);
    const rows = new MemoryRowVectors(
      items.map((item) => item.vector),
      dim,
    );
    return new ProjectedIndex(graph, projection, labels, rows);
  }

  /**
   * Reads an index written by {@link save}.
   *
   * @param graphPath - the graph file
   * @param rowsPath - the row file
   * @param dim - full vector dimension
   * @param projectedDim - projected dimension it was built with
   * @param seed - projection seed it was built with
   * @throws SynestheteError `E_EMPTY_CATALOG` ("index unusable") when either file is missing,
   *   corrupt, of another dimension, or the two disagree
   */
  static load(
    graphPath: string,
    rowsPath: string,
    dim: number,
    projectedDim: number,
    seed: number,
  ): ProjectedIndex {
    const projection = new RandomProjection(dim, projectedDim, seed);
    const graph = HnswIndex.load(graphPath, projectedDim);
    let rows: FileRowVectors;
    try {
      rows = FileRowVectors.open(rowsPath, dim);
      if (rows.size !== graph.size) throw new Error(`${rows.size} rows for ${graph.size} nodes`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SynestheteError(
        'E_EMPTY_CATALOG',
        `index file ${rowsPath} is unusable: ${reason}`,
        {
          cause: error,
        },
      );
    }
    return new ProjectedIndex(graph, projection, rows.labels, rows);
  }

  get size(): number {
    return this.#graph.size;
  }

  /** The graph's query-time candidate list size (see {@link HnswIndex.searchEf}). */
  get searchEf(): number {
    return this.#graph.searchEf;
  }

  set searchEf(ef: number) {
    this.#graph.searchEf = ef;
  }

  /**
   * Fewest graph candidates re-ranked on the full vectors (at least `2k` are); default
   * {@link RERANK_DEPTH}, set from measured recall by `calibrateEf`.
   *
   * @throws SynestheteError `E_INTERNAL` for a value that is not a positive integer
   */
  get rerankDepth(): number {
    return this.#rerankDepth;
  }

  set rerankDepth(depth: number) {
    if (!Number.isInteger(depth) || depth < 1) {
      throw new SynestheteError(
        'E_INTERNAL',
        `internal error: re-ranking depth ${depth} is invalid`,
      );
    }
    this.#rerankDepth = depth;
  }

  /**
   * Writes the graph and the row file (each whole), then reads the full vectors from the row file
   * from then on, so the items passed to {@link build} are no longer held.
   *
   * @throws SynestheteError `E_EMPTY_CATALOG` when a file cannot be written
   */
  save(graphPath: string, rowsPath: string): void {
    this.#graph.save(graphPath);
    try {
      this.#rows = writeRowVectors(rowsPath, this.#rows, this.#labels);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SynestheteError(
        'E_EMPTY_CATALOG',
        `cannot write index file ${rowsPath}: ${reason}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * See {@link AnnIndex.query}: the graph's best `max(rerankDepth, 2k)` candidates (those passing
   * `filter`) re-ranked by exact cosine similarity of the full vectors.
   *
   * @param ef - the graph search's candidate list size (default `searchEf`; at least the depth)
   */
  query(
    vector: Float32Array,
    k: number,
    filter?: (label: number) => boolean,
    ef?: number,
  ): AnnHit[] {
    checkVector(vector, this.dim);
    const wanted = clampK(k, this.size);
    if (wanted === 0) return [];
    const q = normalised(vector);
    const depth = Math.min(this.size, Math.max(this.#rerankDepth, 2 * wanted));
    const labels = this.#labels;
    const candidates = this.#graph.query(
      this.projection.project(q),
      depth,
      filter === undefined ? undefined : (row) => filter(labels[row]!),
      Math.max(depth, Math.round(ef ?? this.#graph.searchEf)),
    );
    const row = this.#row;
    const scored = candidates.map((hit): AnnHit => {
      this.#rows.read(hit.label, row);
      let dot = 0;
      for (let i = 0; i < row.length; i++) dot += q[i]! * row[i]!;
      return { label: labels[hit.label]!, similarity: dot };
    });
    scored.sort((a, b) => b.similarity - a.similarity);
    return scored.slice(0, wanted);
  }
}
