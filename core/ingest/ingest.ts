/**
 * Ingest: the analysis path run over a music folder. Files are found, hashed (SHA-256 of their
 * bytes), their tags read with music-metadata, analysed (decode → log-mel → CNN → descriptors;
 * `track-analysis.ts`) and upserted, several at once: with `concurrency` above 1 the analysis
 * runs on a pool of worker threads (`pool.ts`), one file more at a time than there are
 * threads, so that one process uses every core, while this thread keeps the catalogue writes.
 * Incremental: a file whose path and content hash are already in the catalogue with the current
 * model version is skipped; a file whose bytes are already there under another path reuses that
 * analysis. Each track also gets its landmark fingerprint (core/fingerprint/), which identifies
 * recordings of it; a track stored without one (a catalogue from before fingerprints) is analysed
 * again.
 */
import { createHash } from 'node:crypto';
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { AnalyzeOptions } from '../analysis/analyze.js';
import type { Catalog } from '../catalog/index.js';
import { hasCurrentFingerprint } from '../fingerprint/stored-fingerprint.js';
import { CLIP_MAP_DEFAULTS } from '../library/clip-map.js';
import { pathFraction } from '../library/sample.js';
import type { EmbeddingModel } from '../model/embedder.js';
import { debugFailure } from '../util/debug-log.js';
import { SynestheteError, toSynestheteError } from '../util/errors.js';
import { AnalysisPool, PoolFailure } from './pool.js';
import type { IngestProfile } from './profile.js';
import {
  analyzeTrack,
  readTags,
  type TrackAnalysis,
  type TrackAnalysisOptions,
} from './track-analysis.js';

export { readTags };

/** Extensions picked up when walking a folder (files named explicitly are always tried). */
export const INGEST_EXTENSIONS = new Set([
  '.mp3',
  '.ogg',
  '.oga',
  '.opus',
  '.flac',
  '.wav',
  '.m4a',
  '.aac',
  '.webm',
  '.aiff',
  '.aif',
  '.wma',
  '.mka',
]);

/** Progress of a running ingest. */
export interface IngestProgress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  /** The file just finished. */
  readonly file: string;
}

/** What an ingest did. */
export interface IngestSummary {
  readonly total: number;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Files whose bytes were already analysed under another path. */
  readonly reused: number;
  readonly failed: ReadonlyArray<{ file: string; code: string; message: string }>;
  /** Paths skipped because they resolve outside the given folders (symbolic links). */
  readonly outside: readonly string[];
  /**
   * Paths not opened, and why: folders that cannot be read (permissions), and inputs that are
   * not regular files (a FIFO, a device such as /dev/zero, a socket).
   */
  readonly skipped: ReadonlyArray<SkippedPath>;
  readonly seconds: number;
  /** Seconds of source audio of the tracks analysed in this run. */
  readonly audioSeconds: number;
}

/** Options of {@link ingestPaths}. */
export interface IngestOptions {
  /**
   * Files analysed at once (default: the number of CPU cores), on as many worker threads (each
   * with its own copy of the model) unless `threads` is false. With one thread, this thread still
   * hashes and writes the catalogue while the next file is analysed. A run of a single file is
   * analysed on this thread (starting a thread and loading a second model would cost more).
   */
  readonly concurrency?: number;
  /**
   * Analyse on worker threads when there is more than one file (default true). False: every file
   * on this thread (the same results; ~1 core used).
   */
  readonly threads?: boolean;
  /**
   * Analysis threads to use instead of starting (and stopping) a pool of this call's own, e.g. one
   * pool shared by a queue worker's jobs (core/queue/ingest-worker.ts); it is left running.
   */
  readonly pool?: AnalysisPool;
  /** Re-analyse even unchanged files. */
  readonly force?: boolean;
  /** Follow symbolic links that lead outside the given folders (default false). */
  readonly followSymlinks?: boolean;
  /**
   * How much of each track is analysed (core/ingest/profile.ts): `full` (default) or `fast` (a
   * 30 s excerpt; clips from elsewhere in the track are not identified).
   */
  readonly profile?: IngestProfile;
  /** Decode caps per file (override the profile's). */
  readonly analyze?: AnalyzeOptions;
  /**
   * Learn the library (default true): give a sample of the catalogue's tracks, up to
   * `CLIP_MAP_DEFAULTS.maxPairs` in all, a voice-note view, from which the library's clip map is
   * fitted (core/library/clip-map.ts). False: no views are made.
   */
  readonly learn?: boolean;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Called once the file list is known. */
  readonly onStart?: (total: number) => void;
}

/** A path the walk did not open, and why (one line). */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

/** How {@link collectAudioFiles} treats symbolic links. */
export interface CollectOptions {
  /**
   * Follow links that point outside the given folders (default false: such links are listed in
   * `outside` and skipped). Links inside the given folders are always honoured.
   */
  readonly followSymlinks?: boolean;
}

interface WalkState {
  readonly roots: readonly string[];
  readonly files: string[];
  readonly outside: string[];
  readonly skipped: SkippedPath[];
  readonly follow: boolean;
  /** Real paths of the folders walked so far (a link cycle is walked once). */
  readonly visited: Set<string>;
}

const isInside = (real: string, roots: readonly string[]): boolean =>
  roots.some((r) => real === r || real.startsWith(`${r}${path.sep}`));

/** Why a path cannot be used, one line: the error code's meaning (EACCES → "permission denied"). */
function unusable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENOENT') return 'it disappeared';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** What kind of thing a non-regular, non-folder entry is, for the skip report. */
function kindOf(info: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

async function walk(dir: string, state: WalkState): Promise<void> {
  // A folder whose real path cannot be resolved is still walked once under its own name.
  const real = await realpath(dir).catch((error: unknown) => {
    debugFailure(`resolving the real path of ${dir}`, error);
    return dir;
  });
  if (state.visited.has(real)) return;
  state.visited.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // An unreadable folder is reported and skipped; the rest of the walk goes on.
    state.skipped.push({ path: dir, reason: `folder not read: ${unusable(error)}` });
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const audio = INGEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase());
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(full);
      } catch (error) {
        // Broken, looping or unreadable: not followed, reported with the links left outside.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          state.skipped.push({ path: full, reason: `link not followed: ${unusable(error)}` });
        } else state.outside.push(full);
        continue;
      }
      const inside = isInside(target, state.roots);
      if (!inside && !state.follow) {
        state.outside.push(full);
        continue;
      }
      let info: Stats;
      try {
        info = await stat(target);
      } catch (error) {
        state.skipped.push({ path: full, reason: `link not followed: ${unusable(error)}` });
        continue;
      }
      if (info.isDirectory()) {
        // A link to a folder inside the roots is walked there; one outside only when following.
        if (!inside) await walk(full, state);
      } else if (info.isFile()) {
        if (audio) state.files.push(full);
      } else if (audio) state.skipped.push({ path: full, reason: `${kindOf(info)}, not a file` });
    } else if (entry.isDirectory()) {
      await walk(full, state);
    } else if (entry.isFile()) {
      if (audio) state.files.push(full);
    } else if (audio) {
      state.skipped.push({ path: full, reason: `${kindOf(entry)}, not a file` });
    }
  }
}

/**
 * Expands folders (recursively, audio extensions only) and keeps explicitly named regular files
 * (any extension; a symbolic link is followed to see what it names). A symbolic link met while
 * walking a folder is followed only when it resolves inside one of the given folders, unless
 * `options.followSymlinks` is set; a broken link is skipped. Nothing is opened but folders: a
 * FIFO, a device (e.g. a link to /dev/zero) or a socket, named or met, is reported in `skipped`,
 * and so is a folder that cannot be read (the walk goes on without it).
 *
 * @param inputs - files and folders
 * @param options - symbolic-link policy
 * @returns absolute file paths (deduplicated, in order), the links that were not followed, and the
 *   paths skipped with their reason
 * @throws SynestheteError `E_NOT_FOUND` when an input does not exist
 */
export async function collectAudioFiles(
  inputs: readonly string[],
  options: CollectOptions = {},
): Promise<{ files: string[]; outside: string[]; skipped: SkippedPath[] }> {
  const files: string[] = [];
  const outside: string[] = [];
  const skipped: SkippedPath[] = [];
  const dirs: string[] = [];
  const roots: string[] = [];
  for (const input of inputs) {
    const full = path.resolve(input);
    let info: Stats;
    try {
      info = await stat(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new SynestheteError('E_NOT_FOUND', `no such file or folder: ${input}`, {
          cause: error,
        });
      }
      skipped.push({ path: full, reason: unusable(error) });
      continue;
    }
    if (info.isDirectory()) {
      dirs.push(full);
      roots.push(full, await realpath(full));
    } else if (info.isFile()) files.push(full);
    else skipped.push({ path: full, reason: `${kindOf(info)}, not a file` });
  }
  const state: WalkState = {
    roots,
    files,
    outside,
    skipped,
    follow: options.followSymlinks === true,
    visited: new Set(),
  };
  for (const dir of dirs) await walk(dir, state);
  return { files: [...new Set(files)], outside, skipped };
}

/** Bytes read at a time by {@link hashFile}: 1 MiB (the default 64 KiB costs 5–8 ms of CPU for a 5 MB file, this 3.5). */
const HASH_CHUNK_BYTES = 1 << 20;

/**
 * Read buffers of {@link hashFile} not in use; one is made per file hashed at once and kept. A
 * fresh buffer per chunk (a read stream's) is memory outside V8's heap that V8 counts: hashing
 * the 289 MB of the 100-track benchmark that way started ~30 full garbage collections on the
 * thread that also writes the catalogue (`--trace-gc`).
 */
const hashBuffers: Buffer[] = [];

/**
 * SHA-256 of a file's bytes (FIPS 180-4, node:crypto), read {@link HASH_CHUNK_BYTES} at a time into
 * a reused buffer.
 *
 * The file is opened without blocking (a FIFO put in its place does not wait for a writer) and
 * must be a regular file once open.
 *
 * @param file - path of a readable regular file
 * @returns the digest, 64 lowercase hex characters
 * @throws SynestheteError `E_NOT_FOUND` when it is not a regular file (a FIFO, a device, a
 *   folder); the file system's error (ENOENT, EACCES, …) when it cannot be opened or read
 */
export async function hashFile(file: string): Promise<string> {
  const buffer = hashBuffers.pop() ?? Buffer.allocUnsafeSlow(HASH_CHUNK_BYTES);
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        throw new SynestheteError(
          'E_NOT_FOUND',
          `${path.basename(file)} is ${info.isDirectory() ? 'a folder' : kindOf(info)}, not an audio file`,
        );
      }
      const hash = createHash('sha256');
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
      }
      return hash.digest('hex');
    } finally {
      await handle.close();
    }
  } finally {
    hashBuffers.push(buffer);
  }
}

/**
 * Ingests files and folders into the catalogue. One file's failure is reported and the run goes on.
 *
 * @param catalog - where tracks are upserted
 * @param model - the embedding model (its version is stored with every embedding)
 * @param inputs - files and folders
 * @throws SynestheteError `E_NOT_FOUND` when an input does not exist; `E_CATALOG` when the
 *   database fails
 */
export async function ingestPaths(
  catalog: Catalog,
  model: EmbeddingModel,
  inputs: readonly string[],
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const started = performance.now();
  const { files, outside, skipped } = await collectAudioFiles(inputs, {
    followSymlinks: options.followSymlinks === true,
  });
  options.onStart?.(files.length);
  const version = model.metadata.version;
  const counts = { added: 0, updated: 0, unchanged: 0, reused: 0 };
  const failed: Array<{ file: string; code: string; message: string }> = [];
  let audioSeconds = 0;
  let next = 0;
  let done = 0;
  const concurrency = Math.max(1, options.concurrency ?? os.availableParallelism());
  const analysisOptions: TrackAnalysisOptions = {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.analyze ? { analyze: options.analyze } : {}),
  };
  // The library's voice-note views: spread over this run's files so that the catalogue holds up to
  // CLIP_MAP_DEFAULTS.maxPairs of them; a file is picked by a hash of its path (reproducible).
  const viewsWanted =
    options.learn === false
      ? 0
      : Math.max(0, CLIP_MAP_DEFAULTS.maxPairs - (await catalog.countClipViews(version)));
  const viewShare = files.length > 0 ? Math.min(1, viewsWanted / files.length) : 0;
  const viewOptions: TrackAnalysisOptions = { ...analysisOptions, view: true };
  const wantsView = (file: string) => viewShare > 0 && pathFraction(file) < viewShare;
  // Threads start with the first file that needs analysing (an unchanged folder starts none).
  const threaded = options.threads !== false && files.length > 1;
  const shared = options.threads !== false ? options.pool : undefined;
  let pool = (shared ?? (threaded ? undefined : null)) as AnalysisPool | null | undefined;
  const analyze = async (file: string): Promise<TrackAnalysis> => {
    const perFile = wantsView(file) ? viewOptions : analysisOptions;
    // undefined: threads wanted and not started yet; null: this thread analyses.
    if (pool === undefined) {
      pool = AnalysisPool.create(model.dir, version, Math.min(concurrency, files.length));
    }
    if (pool) {
      try {
        return await pool.analyze(file, perFile);
      } catch (error) {
        if (!(error instanceof PoolFailure)) throw error;
        // The thread could not analyse it (died, no model): this thread does, nothing is lost.
      }
    }
    return analyzeTrack(file, model, perFile);
  };
  // With threads, files are analysed one more at a time than there are threads, so that the thread
  // that finishes first has the next one waiting (`analysing`), and more are in hand: hashed and
  // looked up ahead, or analysed and waiting for an earlier, slower one to be inserted first. A
  // file in hand holds an analysis only while it is being analysed: when analyses held their place
  // through those waits too (5 files in hand, each analysed until inserted), a thread of the
  // 100-track benchmark found nothing to analyse 6–14 times a run, for 140–580 ms in all (the
  // pool's send times), where it now waits < 0.2 ms (4 × threads + 1 in hand).
  const analysing = pLimit(threaded ? concurrency + 1 : concurrency);
  const inHand = threaded ? 4 * concurrency + 1 : concurrency;
  // New tracks are inserted in the order of `files`, whatever order their analyses finish in, so
  // catalogue ids are the same from run to run and for any -j (a new row takes the next id).
  // File i waits until every earlier file is done; files are taken in order, so the earliest
  // unfinished one never waits and there is no deadlock.
  let nextTurn = 0;
  const finished = new Set<number>();
  const waiting = new Map<number, () => void>();
  const insertTurn = (i: number): Promise<void> | undefined =>
    i <= nextTurn ? undefined : new Promise((resolve) => waiting.set(i, resolve));
  const endTurn = (i: number): void => {
    finished.add(i);
    while (finished.delete(nextTurn)) nextTurn++;
    const wake = waiting.get(nextTurn);
    if (wake) {
      waiting.delete(nextTurn);
      wake();
    }
  };
  const one = async (file: string, i: number): Promise<void> => {
    const contentHash = await hashFile(file);
    const existing = await catalog.findBySourcePath(file);
    // A track analysed by another model, or without a fingerprint of the current version (a
    // catalogue from before fingerprints), is analysed again.
    const current = (t: {
      modelVersion: string | null;
      embedding: Float32Array | null;
      fingerprint?: Uint8Array | null;
    }) =>
      t.modelVersion === version &&
      t.embedding !== null &&
      hasCurrentFingerprint(t.fingerprint ?? null);
    if (!options.force && existing && existing.contentHash === contentHash && current(existing)) {
      counts.unchanged++;
      return;
    }
    const twin = options.force
      ? undefined
      : (await catalog.findByContentHash(contentHash)).find(current);
    if (twin) {
      const { durationS: _, ...tags } = await readTags(file);
      if (!existing) await insertTurn(i);
      await catalog.upsertTrack({
        ...tags,
        sourcePath: file,
        contentHash,
        durationS: twin.durationS,
        embedding: twin.embedding,
        windowEmbeddings: twin.windowEmbeddings,
        windowCount: twin.windowCount,
        descriptors: twin.descriptors,
        modelVersion: version,
        fingerprint: twin.fingerprint ?? null,
        clipView: twin.clipView ?? null,
      });
      counts.reused++;
      return;
    }
    const analysis = await analysing(() => analyze(file));
    audioSeconds += analysis.durationS;
    if (!existing) await insertTurn(i);
    await catalog.upsertTrack({
      ...analysis.tags,
      sourcePath: file,
      contentHash,
      durationS: analysis.durationS,
      embedding: analysis.embedding,
      windowEmbeddings: analysis.windowEmbeddings,
      windowCount: analysis.windowCount,
      descriptors: analysis.descriptors,
      modelVersion: version,
      fingerprint: analysis.fingerprint,
      clipView: analysis.clipView,
    });
    if (existing) counts.updated++;
    else counts.added++;
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const file = files[i];
      if (file === undefined) return;
      try {
        await one(file, i);
      } catch (error) {
        const e = toSynestheteError(error);
        if (e.code === 'E_CATALOG') throw e;
        failed.push({ file, code: e.code, message: e.message });
      } finally {
        endTurn(i);
      }
      done++;
      options.onProgress?.({ done, total: files.length, failed: failed.length, file });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(inHand, Math.max(1, files.length)) }, worker));
  } finally {
    if (pool !== shared) await pool?.close();
  }
  return {
    total: files.length,
    ...counts,
    failed,
    outside,
    skipped,
    seconds: (performance.now() - started) / 1000,
    audioSeconds,
  };
}
