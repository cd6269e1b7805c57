/**
 * A running engine's indexes that follow the catalogue: another process (a CLI ingest, a queue
 * worker, a second bot) changes tracks, the catalogue's version moves (schema.ts `catalogState`),
 * and the indexes are rebuilt from the catalogue — or loaded, when another process already saved
 * them at that version — in the background, then swapped in. Answers keep using the previous
 * indexes until the new ones are ready; changes that arrive during a rebuild are picked up by the
 * next one.
 *
 * @module
 */

import type { Catalog } from '../catalog/types.js';
import { toSynestheteError } from '../util/errors.js';
import { ensureTrackIndexes, type TrackIndexes, type TrackIndexOptions } from './track-index.js';

/** Options of {@link followCatalog}. */
export interface LiveIndexOptions extends Omit<TrackIndexOptions, 'catalogVersion'> {
  /** How often to read the catalogue's version, ms; 0 = never (the indexes change on reset only). */
  pollMs: number;
  /** Told about a failed poll or rebuild (once until one succeeds again), and about each swap. */
  log?: (line: string) => void;
}

/** The indexes of one engine. */
export interface LiveIndexes {
  /**
   * The current indexes, built (or loaded) on first use and after {@link reset}.
   *
   * @throws SynestheteError `E_CATALOG` when the catalogue cannot be read (the next call retries)
   */
  current(): Promise<TrackIndexes>;
  /** Forgets the current indexes: the next {@link current} builds them from the catalogue. */
  reset(): void;
  /**
   * Reads the catalogue's version now and, when it moved, rebuilds and swaps (what the poll does).
   *
   * @returns true when new indexes were swapped in
   */
  check(): Promise<boolean>;
  /** The catalogue version the current indexes were built at (undefined before the first build). */
  readonly version: number | undefined;
  /** Stops polling. */
  stop(): void;
}

/**
 * Keeps a catalogue's indexes up to date.
 *
 * @example
 * ```ts
 * const live = followCatalog(catalog, { dir, modelVersion, dim, pollMs: 2000 });
 * const hits = (await live.current()).tracks.query(vector, 5);
 * live.stop();
 * ```
 * @param catalog - the catalogue to follow
 * @param options - index options and the poll interval
 * @returns the live indexes; call `stop()` before closing the catalogue
 */
export function followCatalog(catalog: Catalog, options: LiveIndexOptions): LiveIndexes {
  const { pollMs, log, preloaded: ahead, ...indexOptions } = options;
  /** Files read ahead of the catalogue: offered to the first build only, then let go of. */
  let preloaded = ahead;
  let loaded: Promise<TrackIndexes> | undefined;
  let version: number | undefined;
  let generation = 0;
  let checking: Promise<boolean> | undefined;
  let failing = false;
  let stopped = false;
  let lastLook = 0;

  const build = async (): Promise<{ indexes: TrackIndexes; at: number }> => {
    const at = await catalog.version();
    const offered = preloaded;
    preloaded = undefined;
    const indexes = await ensureTrackIndexes(catalog, {
      ...indexOptions,
      ...(offered ? { preloaded: offered } : {}),
      catalogVersion: at,
    });
    return { indexes, at };
  };

  const current = (): Promise<TrackIndexes> => {
    if (loaded === undefined) {
      const mine = ++generation;
      const pending = build().then(({ indexes, at }) => {
        if (mine === generation) version = at;
        return indexes;
      });
      loaded = pending;
      pending.catch(() => {
        if (loaded === pending) loaded = undefined;
      });
    }
    return loaded;
  };

  const swapIfChanged = async (): Promise<boolean> => {
    try {
      // Nothing to follow before first use: the first build reads the latest anyway.
      if (stopped || loaded === undefined || version === undefined) return false;
      const now = await catalog.version();
      if (now === version) return false;
      const mine = ++generation;
      const { indexes, at } = await build();
      if (mine !== generation) return false; // reset meanwhile: the newer build wins
      loaded = Promise.resolve(indexes);
      version = at;
      log?.(`catalogue changed (version ${at}): ${indexes.tracks.size} tracks indexed`);
      failing = false;
      return true;
    } catch (error) {
      if (!failing && !stopped)
        log?.(`following the catalogue failed: ${toSynestheteError(error).message}`);
      failing = true;
      return false;
    }
  };

  const check = (): Promise<boolean> => {
    lastLook = Date.now();
    // Cleared once settled (never synchronously, so an early return cannot leave it set).
    checking ??= swapIfChanged().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const timer = pollMs > 0 ? setInterval(() => void check(), pollMs) : undefined;
  timer?.unref();

  // Where the catalogue announces changes (PostgreSQL NOTIFY), look at once instead of at the next
  // poll: 250 ms after the first announcement of a burst, or one poll interval after the last
  // look, whichever is later, so that an ingest of many tracks does not rebuild per track.
  let soon: NodeJS.Timeout | undefined;
  const announced = () => {
    if (stopped || soon !== undefined) return;
    const wait = Math.max(250, lastLook + pollMs - Date.now());
    soon = setTimeout(() => {
      soon = undefined;
      void check();
    }, wait);
    soon.unref();
  };
  const unwatch =
    pollMs > 0
      ? catalog.watch(announced).catch((error: unknown) => {
          log?.(`not watching the catalogue (polling only): ${toSynestheteError(error).message}`);
          return async () => {};
        })
      : undefined;

  return {
    current,
    reset() {
      generation++;
      loaded = undefined;
      version = undefined;
    },
    check,
    get version() {
      return version;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      if (soon !== undefined) clearTimeout(soon);
      void unwatch?.then((end) => end().catch(() => undefined));
    },
  };
}
