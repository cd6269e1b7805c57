/**
 * Worker-thread entry point of the engine's second core (see `off-thread.ts`). Requests are
 * `{ id, op, ... }`; answers `{ id, result }` (typed arrays transferred, not copied) or
 * `{ id, error }`:
 * - `fingerprint` `{ pcm, sampleRate, stretches }` → the landmark fingerprint of the PCM;
 * - `descriptors` `{ pcm, sampleRate, flatness, tonality }` → `spectralDescriptors` of the PCM;
 * - `clip-statistics` `{ spectrograms, nMels, framesPerSecond, request }` → `clipStatistics`.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { type ClipStatisticsRequest, clipStatistics } from '../features/clip-statistics.js';
import { spectralDescriptors } from '../features/descriptors.js';
import type { LogMelSpectrogram } from '../features/log-mel.js';
import { fingerprintPcm, type PcmStretch } from './fingerprint.js';

/** A request from the main thread. */
type Request = { readonly id: number } & (
  | {
      readonly op: 'fingerprint';
      readonly pcm: Float32Array;
      readonly sampleRate: number;
      readonly stretches: readonly PcmStretch[];
      readonly chroma: boolean;
    }
  | {
      readonly op: 'descriptors';
      readonly pcm: Float32Array;
      readonly sampleRate: number;
      readonly flatness: boolean;
      readonly tonality: boolean;
    }
  | {
      readonly op: 'clip-statistics';
      readonly spectrograms: readonly LogMelSpectrogram[];
      readonly nMels: number;
      readonly framesPerSecond: number;
      readonly request: ClipStatisticsRequest;
    }
);

function answer(request: Request): { result: unknown; transfer: ArrayBuffer[] } {
  switch (request.op) {
    case 'fingerprint': {
      const result = fingerprintPcm(request.pcm, request.sampleRate, request.stretches, {
        chroma: request.chroma,
      });
      const chroma = result.chroma ?? [];
      return {
        result,
        transfer: [
          result.hashes.buffer as ArrayBuffer,
          result.times.buffer as ArrayBuffer,
          ...chroma.flatMap((c) => [
            c.chroma.buffer as ArrayBuffer,
            c.energy.buffer as ArrayBuffer,
          ]),
        ],
      };
    }
    case 'descriptors': {
      const result = spectralDescriptors(request.pcm, request.sampleRate, {
        flatness: request.flatness,
        tonality: request.tonality,
      });
      const tonal = result.tonalityChroma;
      return {
        result,
        transfer: tonal
          ? [tonal.chroma.buffer as ArrayBuffer, tonal.energy.buffer as ArrayBuffer]
          : [],
      };
    }
    case 'clip-statistics': {
      const result = clipStatistics(
        request.spectrograms,
        request.nMels,
        request.framesPerSecond,
        request.request,
      );
      const transfer = [result.style, result.gate].flatMap((a) =>
        a ? [a.buffer as ArrayBuffer] : [],
      );
      return { result, transfer };
    }
  }
}

parentPort?.on('message', (request: Request) => {
  try {
    const { result, transfer } = answer(request);
    parentPort?.postMessage({ id: request.id, result }, transfer);
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: String(error) });
  }
});
