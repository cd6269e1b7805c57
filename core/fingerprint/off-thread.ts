/**
 * The engine's second core: one long-lived worker thread (`fingerprint-worker.ts`) that takes
 * work off the main thread: the recording's landmark fingerprint and the spectral half of
 * its descriptors while the main thread computes the spectrogram, the CNN embedding, the tempo and
 * the music gate's verdict, and for a clip the style statistics and the gate's speech/music
 * descriptors of its spectrogram while the main thread runs the CNN. Results are identical to the
 * same functions on the main thread (same code, same inputs), which is also the fallback whenever
 * the worker cannot run (the compiled worker file is missing, as under vitest's on-the-fly
 * TypeScript; the worker died; or `SYNESTHETE_FINGERPRINT_THREAD=0`).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type ClipStatistics,
  type ClipStatisticsRequest,
  clipStatistics,
} from '../features/clip-statistics.js';
import { type SpectralDescriptors, spectralDescriptors } from '../features/descriptors.js';
import type { LogMelSpectrogram } from '../features/log-mel.js';
import { type FingerprintWithChroma, fingerprintPcm, type PcmStretch } from './fingerprint.js';

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

let worker: Worker | null | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/** The worker, started on first use; null when it cannot run here. */
function getWorker(): Worker | null {
  if (worker !== undefined) return worker;
  const file = fileURLToPath(new URL('./fingerprint-worker.js', import.meta.url));
  if (process.env.SYNESTHETE_FINGERPRINT_THREAD === '0' || !existsSync(file)) {
    worker = null;
    return worker;
  }
  const w = new Worker(file);
  w.unref(); // an idle worker never keeps the process alive
  // Again once running: an unref before the thread is online does not hold for a worker started
  // ahead of its first request (`prestartSecondCore`), and the process would not exit.
  w.once('online', () => {
    if (pending.size === 0) w.unref();
  });
  w.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error === undefined) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  });
  const fail = (error: Error) => {
    worker = null; // later calls run on the main thread
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`second-core worker exited with code ${code}`)));
  worker = w;
  return worker;
}

/** Whether work can go to the second core's worker (started now if it was not). */
export function secondCoreAvailable(): boolean {
  return getWorker() !== null;
}

/**
 * Starts the second core's worker now (its modules load while the caller does other work), as
 * {@link secondCoreAvailable} does; for a process about to answer its first clip.
 */
export function prestartSecondCore(): void {
  getWorker();
}

/**
 * Sends one request to the worker (see `fingerprint-worker.ts` for the operations).
 *
 * @param request - `op` and its fields (typed arrays are copied unless listed in `transfer`, and
 *   shared when on a `SharedArrayBuffer`)
 * @param transfer - buffers handed over rather than copied
 * @returns the worker's result
 * @throws Error when no worker can run, the worker failed, or the operation threw there
 */
export async function callSecondCore<T>(
  request: { readonly op: string } & Record<string, unknown>,
  transfer: ArrayBuffer[] = [],
): Promise<T> {
  const w = getWorker();
  if (!w) throw new Error('no second-core worker');
  const id = nextId++;
  try {
    return await new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      w.ref(); // keep the process alive while an answer is due
      w.postMessage({ ...request, id }, transfer);
    });
  } finally {
    if (pending.size === 0) worker?.unref();
  }
}

/**
 * {@link fingerprintPcm} on the worker thread (the PCM is copied to it, ~1.3 MB for 15 s, unless
 * it lies on a `SharedArrayBuffer`), or on this thread when no worker can run.
 *
 * @param pcm - mono samples in [-1, 1] at `sampleRate` Hz
 * @param sampleRate - Hz
 * @param stretches - consecutive parts of `pcm` (see {@link fingerprintPcm})
 * @param options - `chroma`: the stretches' chroma frames too (see {@link fingerprintPcm})
 * @returns the same fingerprint {@link fingerprintPcm} returns
 * @throws SynestheteError `E_CONFIG` for an invalid sample rate (as {@link fingerprintPcm})
 */
export async function fingerprintOffThread(
  pcm: Float32Array,
  sampleRate: number,
  stretches?: readonly PcmStretch[],
  options: { readonly chroma?: boolean } = {},
): Promise<FingerprintWithChroma> {
  const parts = stretches ?? [{ offset: 0, length: pcm.length, sourceStartS: 0 }];
  const here = () => fingerprintPcm(pcm, sampleRate, parts, options);
  if (!secondCoreAvailable()) return here();
  try {
    return await callSecondCore<FingerprintWithChroma>({
      op: 'fingerprint',
      pcm,
      sampleRate,
      stretches: parts,
      chroma: options.chroma === true,
    });
  } catch {
    return here();
  }
}

/**
 * `spectralDescriptors` (key, chroma, loudness, centroid, brightness, flatness) on the worker
 * thread (the PCM is copied to it), or on this thread when no worker can run: the same values.
 *
 * @param pcm - mono samples, nominally in [-1, 1]
 * @param sampleRate - Hz
 * @param flatness - also the spectral flatness
 * @param tonality - also the tonality chroma of the same PCM (from the same STFT where it can)
 */
export async function spectralDescriptorsOffThread(
  pcm: Float32Array,
  sampleRate: number,
  flatness: boolean,
  tonality = false,
): Promise<SpectralDescriptors> {
  if (!secondCoreAvailable()) return spectralDescriptors(pcm, sampleRate, { flatness, tonality });
  try {
    return await callSecondCore<SpectralDescriptors>({
      op: 'descriptors',
      pcm,
      sampleRate,
      flatness,
      tonality,
    });
  } catch {
    return spectralDescriptors(pcm, sampleRate, { flatness, tonality });
  }
}

/**
 * {@link clipStatistics} on the worker thread (the spectrograms are copied to it, ~0.3 MB for
 * 15 s), or on this thread when no worker can run: the same values.
 *
 * @param spectrograms - log-mel spectrograms, frames × nMels (see {@link clipStatistics})
 * @param nMels - the band count
 * @param framesPerSecond - sample rate / hop length
 * @param request - which statistics
 * @throws SynestheteError `E_CONFIG` as {@link clipStatistics} does
 */
export async function clipStatisticsOffThread(
  spectrograms: readonly LogMelSpectrogram[],
  nMels: number,
  framesPerSecond: number,
  request: ClipStatisticsRequest,
): Promise<ClipStatistics> {
  const here = () => clipStatistics(spectrograms, nMels, framesPerSecond, request);
  if (!secondCoreAvailable()) return here();
  try {
    return await callSecondCore<ClipStatistics>({
      op: 'clip-statistics',
      spectrograms,
      nMels,
      framesPerSecond,
      request,
    });
  } catch {
    // An error of the statistics themselves is thrown again here, with its code.
    return here();
  }
}
