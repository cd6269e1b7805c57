/**
 * What an ingest pool thread runs first (`pool.ts`): Node's on-disk compile cache
 * (`module.enableCompileCache`, Node ≥ 22.1; in `os.tmpdir()/node-compile-cache`, or where
 * `NODE_COMPILE_CACHE` says; `NODE_DISABLE_COMPILE_CACHE=1` turns it off), then the thread itself
 * (`thread.ts`), whose ~200 modules (tfjs, node-av, music-metadata, the engine) are then
 * compiled from the cache instead of from source: a thread's start-up to its first analysis took
 * 535–645 ms instead of 715–730 ms on the 2-core development machine. A static import would be
 * compiled before this module's body runs, hence the dynamic one.
 *
 * @module
 */
import module from 'node:module';

// Absent on an older Node; a cache that cannot be written (read-only temp folder) only warns.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./thread.js');
