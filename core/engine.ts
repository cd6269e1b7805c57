/**
 * The engine's entry: the chat adapters (bots/), the CLI (cli/), training and the benches open the
 * engine here (`openEngine`: model + catalogue + indexes, then recommend, similar, ingest; it lives
 * in core/recommend/recommend.ts). Nothing in core/ imports bots/ or cli/.
 *
 * The stages, each a folder of core/, lowest first: a folder imports only from the folders before it
 * in this list (test/layout/import-direction.test.ts checks it; one exception, type-only: features/
 * takes its parameter types from model/metadata.ts).
 *
 * - `util/` errors, paths, seeded randomness, debug logging, the terminal progress bar,
 *   the start-up resolution hook
 * - `dsp/` numeric kernels (WebAssembly), clipping, resampling
 * - `audio/` decoding (ffmpeg, node-av), probing, sample-rate conversion, voice notes
 * - `features/` log-mel, MFCC, timbre, tempo, key, style statistics, descriptors
 * - `model/` the embedding CNN, its metadata, the fused track vector, the music gate
 * - `fingerprint/` landmark fingerprints and their matching (identification)
 * - `analysis/` one clip or track from bytes to an `Analysis` (decode, features, embedding,
 *   fingerprint)
 * - `catalog/` the catalogue database (PGlite or PostgreSQL)
 * - `library/` voice-note views of catalogue tracks and the clip map fitted on them
 * - `index/` the ANN and exact indexes over the catalogue's vectors
 * - `ingest/` files to catalogue rows, on worker threads
 * - `queue/` ingest as Redis jobs (BullMQ)
 * - `recommend/` the engine: identification, ranking, variety, feedback, tags, calibrated
 *   confidence, the catalogue map
 * - `evaluation/` metrics and evaluation runs over the engine
 *
 * @module
 */
export * from './recommend/recommend.js';
