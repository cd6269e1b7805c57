/**
 * The engine's entry: adapters (bots/), the CLI (cli/), training and benches open the engine here
 * and use nothing of core's stages directly but its shared utilities (`core/util/`). The engine
 * itself (`openEngine`: model + catalogue + indexes, then recommend, similar, ingest) lives in
 * `core/recommend/recommend.ts`.
 *
 * The stages, each a folder of core/, lower ones first (a folder imports only from folders above
 * it in this list, never from below; test/layout/import-direction.test.ts checks what it can):
 *
 * - `util/` errors, paths, seeded randomness, debug logging, the start-up resolution hook
 * - `dsp/` numeric kernels (WebAssembly), clipping, resampling
 * - `audio/` decoding (ffmpeg, node-av), probing, sample-rate conversion, voice notes
 * - `features/` log-mel, MFCC, timbre, tempo, key, style statistics, descriptors
 * - `model/` the embedding CNN, its metadata, the fused track vector, the music gate
 * - `fingerprint/` landmark fingerprints and their matching (identification)
 * - `analysis/` one clip or track from bytes to an `Analysis` (decode, features, embedding,
 *   fingerprint)
 * - `catalog/` the catalogue database (PGlite or PostgreSQL)
 * - `library/` catalogue-wide views: clip map, samples, voice-note views
 * - `index/` the ANN and exact indexes over the catalogue's vectors
 * - `ingest/` files to catalogue rows, on worker threads
 * - `queue/` ingest as Redis jobs (BullMQ)
 * - `recommend/` the engine: identification, ranking, variety, feedback, tags, maps
 * - `evaluation/` metrics and evaluation runs over the engine
 *
 * @module
 */
export * from './recommend/recommend.js';
