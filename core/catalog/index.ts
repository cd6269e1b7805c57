/**
 * The catalogue: drizzle schema, the shared track repository, and {@link openCatalog}.
 *
 * @module
 */

export { redactLocation } from './location.js';
export { openCatalog } from './open.js';
export type {
  Catalog,
  CatalogKind,
  ConversationStore,
  NewTrack,
  TrackEmbeddings,
  TrackFingerprint,
  TrackInfo,
  TrackRecord,
  Vote,
} from './types.js';
