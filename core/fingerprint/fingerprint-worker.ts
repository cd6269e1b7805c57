/**
 * Worker-thread entry point that fingerprints PCM off the main thread (see `off-thread.ts`).
 * Receives `{ id, pcm, sampleRate, stretches }`, answers `{ id, fingerprint }` (hash and time
 * arrays transferred, not copied) or `{ id, error }`.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { fingerprintPcm, type PcmStretch } from './fingerprint.js';

/** A request from the main thread. */
interface Request {
  readonly id: number;
  readonly pcm: Float32Array;
  readonly sampleRate: number;
  readonly stretches: readonly PcmStretch[];
}

parentPort?.on('message', (request: Request) => {
  try {
    const fingerprint = fingerprintPcm(request.pcm, request.sampleRate, request.stretches);
    parentPort?.postMessage({ id: request.id, fingerprint }, [
      fingerprint.hashes.buffer as ArrayBuffer,
      fingerprint.times.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: String(error) });
  }
});
