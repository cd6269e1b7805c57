/**
 * Ingest on every core of one process: a pool of worker threads (`node:worker_threads`), each
 * running `thread.ts` with its own copy of the embedding model, analyses several files at
 * once, while the main thread keeps the catalogue (PGlite has one connection), the hashing and the
 * progress. Analysis in JavaScript runs on one thread per isolate, so without the pool one ingest
 * process used ~1 core whatever its `concurrency`.
 *
 * Failures: a file the analysis rejects comes back as its `SynestheteError` (code and message),
 * like the in-thread path. When a thread cannot analyse at all — it died (out of memory, a crash
 * in WebAssembly), or could not load the model — its files reject with {@link PoolFailure} and the
 * caller analyses them on the main thread instead, so nothing is lost; a thread that died after
 * doing work is replaced, one that never did any is not (the pool then gives up on threads).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, SynestheteError } from '../util/errors.js';
import type { TrackAnalysis, TrackAnalysisOptions } from './track-analysis.js';

/** A pool thread could not analyse a file (not the file's fault): analyse it elsewhere. */
export class PoolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolFailure';
  }
}

interface Reply {
  readonly id: number;
  readonly analysis?: TrackAnalysis;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  readonly failure?: string;
}

interface Pending {
  readonly resolve: (analysis: TrackAnalysis) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Files analysed by this thread so far. */
  done: number;
  dead: boolean;
}

/**
 * Initial heap size of each analysis thread, MiB (V8's `--initial-heap-size`). One track's
 * analysis allocates some 40 MB of short-lived typed arrays (decoded PCM, spectrograms, the
 * decoder's frames) over a live heap of ~20 MB. From V8's default limits, which follow that small
 * live heap, every track started a full mark-compact: ~50 per thread for 50 tracks, marked on
 * V8's helper threads, ~20 % of the ingest's CPU (measured with `--trace-gc` and per-thread CPU
 * times on the 100-track benchmark). From 256 MiB it is 2–5 per thread and the young-generation
 * scavenges reclaim the arrays instead; peak RSS stays within the run-to-run spread (~0.9 GB).
 */
export const THREAD_INITIAL_HEAP_MIB = 256;

/** Analysis threads created whose isolate may not exist yet (see {@link withThreadHeap}). */
let threadsStarting = 0;

/**
 * Creates an analysis thread with a {@link THREAD_INITIAL_HEAP_MIB} heap. V8's flags are global to
 * the process and read when an isolate is created, which happens on the new thread, after
 * `new Worker` returns: the flag is set before the first of a batch of threads and set back to
 * V8's default (0: sized by V8) once each has come online (its isolate exists) or failed, so that
 * isolates created later for other work (a recommend's fingerprint thread) keep V8's sizing.
 *
 * @param create - makes the `Worker` (called once, synchronously)
 * @returns the worker `create` made
 * @throws whatever `create` throws (the flag is then set back as for a failed thread)
 */
function withThreadHeap(create: () => Worker): Worker {
  if (threadsStarting++ === 0) {
    v8.setFlagsFromString(`--initial-heap-size=${THREAD_INITIAL_HEAP_MIB}`);
  }
  let counted = true;
  const started = () => {
    if (!counted) return;
    counted = false;
    if (--threadsStarting === 0) v8.setFlagsFromString('--initial-heap-size=0');
  };
  let worker: Worker;
  try {
    worker = create();
  } catch (error) {
    started();
    throw error;
  }
  worker.once('online', started);
  worker.once('error', started);
  worker.once('exit', started);
  return worker;
}

/**
 * The compiled thread entry (`thread-entry.ts`, which runs `thread.ts`); missing when
 * running from TypeScript sources (vitest).
 */
const THREAD_FILE = fileURLToPath(new URL('./thread-entry.js', import.meta.url));

/** How long {@link AnalysisPool.close} waits for a thread to end its decode threads, ms. */
const CLOSE_GRACE_MS = 15_000;

/** Analyses files on worker threads (see the module comment). */
export class AnalysisPool {
  readonly #slots: Slot[] = [];
  readonly #modelDir: string;
  readonly #modelVersion: string;
  #nextId = 0;
  #closed = false;

  private constructor(modelDir: string, modelVersion: string, size: number) {
    this.#modelDir = modelDir;
    this.#modelVersion = modelVersion;
    for (let i = 0; i < size; i++) this.#slots.push(this.#start());
  }

  /**
   * Starts `size` threads, each loading the model from `modelDir` (a few seconds, in parallel with
   * whatever the main thread does meanwhile).
   *
   * @param modelDir - the model directory (`EmbeddingModel.dir`)
   * @param modelVersion - the version every thread's model must have (`metadata.version`)
   * @param size - number of threads (≥ 1)
   * @returns the pool, or null when threads cannot run here (the compiled thread file is missing,
   *   as under vitest's on-the-fly TypeScript)
   */
  static create(modelDir: string, modelVersion: string, size: number): AnalysisPool | null {
    if (!existsSync(THREAD_FILE)) return null;
    return new AnalysisPool(modelDir, modelVersion, Math.max(1, Math.floor(size)));
  }

  /** Threads alive or replaceable. */
  get size(): number {
    return this.#slots.filter((s) => !s.dead || s.done > 0).length;
  }

  #start(): Slot {
    const worker = withThreadHeap(
      () =>
        new Worker(THREAD_FILE, {
          workerData: { modelDir: this.#modelDir, modelVersion: this.#modelVersion },
          // One file's fingerprint and decodes run on the thread analysing it: the pool already
          // fills the cores, and the thread is off the engine's thread (core/audio/decode-here.ts).
          env: {
            ...process.env,
            SYNESTHETE_FINGERPRINT_THREAD: '0',
            SYNESTHETE_DECODE_THREADS: '0',
          },
        }),
    );
    const slot: Slot = { worker, pending: new Map(), done: 0, dead: false };
    worker.on('message', (reply: Reply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (reply.analysis) {
        slot.done++;
        p.resolve(reply.analysis);
      } else if (reply.error) {
        slot.done++;
        p.reject(new SynestheteError(reply.error.code, reply.error.message));
      } else p.reject(new PoolFailure(reply.failure ?? 'analysis thread failed'));
    });
    const fail = (why: string) => {
      if (slot.dead) return;
      slot.dead = true;
      for (const p of slot.pending.values()) p.reject(new PoolFailure(why));
      slot.pending.clear();
    };
    worker.on('error', (error) => fail(`analysis thread failed: ${error.message}`));
    worker.on('exit', (code) => fail(`analysis thread exited with code ${code}`));
    return slot;
  }

  /**
   * Analyses one file on the least busy thread.
   *
   * @param file - absolute path
   * @param options - profile and decode caps (posted to the thread)
   * @returns what `analyzeTrack` returns on that thread
   * @throws SynestheteError the file's own analysis error; {@link PoolFailure} when no thread
   *   could analyse it (analyse it on this thread instead)
   */
  analyze(file: string, options: TrackAnalysisOptions): Promise<TrackAnalysis> {
    if (this.#closed) return Promise.reject(new PoolFailure('pool closed'));
    // A dead thread that had done work is replaced; one that never did (cannot load the model) is not.
    for (let i = 0; i < this.#slots.length; i++) {
      const s = this.#slots[i]!;
      if (s.dead && s.done > 0) this.#slots[i] = this.#start();
    }
    const live = this.#slots.filter((s) => !s.dead);
    if (live.length === 0) return Promise.reject(new PoolFailure('no analysis thread is running'));
    const slot = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.#nextId++;
    return new Promise<TrackAnalysis>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, file, options });
    });
  }

  /**
   * Stops every thread (files still being analysed reject with {@link PoolFailure}). Each thread
   * is first asked to end its own decode threads (`closeDecodeThreads`), since a decode thread
   * torn down with its parent while it runs FFmpeg's bindings aborts the process; one that does
   * not answer within {@link CLOSE_GRACE_MS} is ended as it is.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (s) => {
        if (!s.dead) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => {
              const onClosed = (reply: { closed?: boolean }): void => {
                if (reply.closed !== true) return;
                s.worker.off('message', onClosed);
                resolve();
              };
              s.worker.on('message', onClosed);
              s.worker.once('exit', () => resolve());
              s.worker.postMessage({ close: true });
            }),
            new Promise((resolve) => {
              timer = setTimeout(resolve, CLOSE_GRACE_MS);
            }),
          ]);
          clearTimeout(timer);
        }
        await s.worker.terminate();
      }),
    );
  }
}
