/**
 * Fingerprinting on a second core: one long-lived worker thread (`fingerprint-worker.ts`)
 * computes a recording's landmark fingerprint while the main thread computes its spectrogram,
 * CNN embedding and descriptors — on the 2-core development machine this takes the
 * fingerprint's ~30 ms off a clip's critical path. Results are identical to
 * {@link fingerprintPcm} on the main thread (same code, same inputs), which is also the fallback
 * whenever the worker cannot run (the compiled worker file is missing, as under vitest's
 * on-the-fly TypeScript, or the worker died).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Fingerprint, fingerprintPcm, type PcmStretch } from './fingerprint.js';

interface Pending {
  readonly resolve: (fingerprint: Fingerprint) => void;
  readonly reject: (error: Error) => void;
}

interface Reply {
  readonly id: number;
  readonly fingerprint?: Fingerprint;
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
  w.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.fingerprint) p.resolve(reply.fingerprint);
    else p.reject(new Error(reply.error ?? 'fingerprint worker failed'));
  });
  const fail = (error: Error) => {
    worker = null; // later calls run on the main thread
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`fingerprint worker exited with code ${code}`)));
  worker = w;
  return worker;
}

/**
 * {@link fingerprintPcm} on the worker thread (the PCM is copied to it, ~1.3 MB for 15 s), or on
 * this thread when no worker can run.
 *
 * @param pcm - mono samples in [-1, 1] at `sampleRate` Hz
 * @param sampleRate - Hz
 * @param stretches - consecutive parts of `pcm` (see {@link fingerprintPcm})
 * @returns the same fingerprint {@link fingerprintPcm} returns
 * @throws SynestheteError `E_CONFIG` for an invalid sample rate (as {@link fingerprintPcm})
 */
export async function fingerprintOffThread(
  pcm: Float32Array,
  sampleRate: number,
  stretches?: readonly PcmStretch[],
): Promise<Fingerprint> {
  const w = getWorker();
  const parts = stretches ?? [{ offset: 0, length: pcm.length, sourceStartS: 0 }];
  if (!w) return fingerprintPcm(pcm, sampleRate, parts);
  const id = nextId++;
  try {
    return await new Promise<Fingerprint>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.ref(); // keep the process alive while an answer is due
      w.postMessage({ id, pcm, sampleRate, stretches: parts });
    });
  } catch {
    return fingerprintPcm(pcm, sampleRate, parts);
  } finally {
    if (pending.size === 0) worker?.unref();
  }
}
