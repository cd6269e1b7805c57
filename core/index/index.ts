/**
 * Nearest-neighbour search over the catalogue: the {@link AnnIndex} interface, its hnswlib and
 * exact implementations, and the persisted track/window indexes of a catalogue.
 *
 * @module
 */

export type { AnnHit, AnnIndex, AnnItem, TunableAnnIndex } from './ann-index.js';
export { ExactIndex } from './exact-index.js';
export { HnswIndex } from './hnsw-index.js';
export { indexDirFor } from './index-dir.js';
export { ProjectedIndex } from './projected-index.js';
export {
  ensureTrackIndexes,
  type IndexSidecar,
  invalidateTrackIndexes,
  type PreloadedIndexes,
  preloadTrackIndexes,
  type TrackIndexes,
  type TrackIndexOptions,
  type WindowHit,
  type WindowIndex,
} from './track-index.js';
