/**
 * The map layout's thread (`layOutOffThread` in map-layout.ts): lays out `workerData.vectors`
 * with `layOut` and posts the positions back, then ends.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { layOut } from './map-layout.js';

const { vectors, seed } = workerData as { vectors: Float32Array[]; seed: number };
parentPort?.postMessage(layOut(vectors, seed));
