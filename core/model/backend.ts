/**
 * TensorFlow.js backend selection. One tfjs instance for the whole process:
 * `@tensorflow/tfjs-node` (native TensorFlow) when it is installed and importable, else the
 * WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, SIMD, single-threaded in Node), else the
 * pure-JavaScript `cpu` backend. `SYNESTHETE_TF_BACKEND` (`tensorflow` | `wasm` | `cpu`) forces one.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import type * as TfCore from '@tensorflow/tfjs-core';
import { SynestheteError } from '../util/errors.js';

const require = createRequire(import.meta.url);

// tfjs-core, the two backends and (below) the layers bundle, through `require`: the
// `@tensorflow/tfjs` bundle also loads the converter, data and the WebGL backend, which neither the
// engine nor the training uses, and an ES `import` of these CommonJS bundles (1.2 MB each) makes
// Node scan their source for export names first. Measured on the 2-core development machine (CPU
// of a fresh process): `import('@tensorflow/tfjs-core')` 274 ms, `require` of it 43 ms.

/**
 * The tfjs-core API (ops, tensors, `io`, `train`), with the `wasm` backend registered; the plain
 * JavaScript `cpu` backend (60–80 ms of CPU to load, in every process and analysis thread) is
 * loaded only when {@link initBackend} falls back to it.
 */
export const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;

/** The tfjs types this project names, under the same `tf.` prefix as the API. */
export declare namespace tf {
  export type Tensor = TfCore.Tensor;
  export type Tensor2D = TfCore.Tensor2D;
  export type Tensor3D = TfCore.Tensor3D;
  export type Tensor4D = TfCore.Tensor4D;
  export type Scalar = TfCore.Scalar;
  export type Variable = TfCore.Variable;
  export type Optimizer = TfCore.Optimizer;
  export type GradSaveFunc = TfCore.GradSaveFunc;
  export namespace io {
    export type WeightsManifestEntry = TfCore.io.WeightsManifestEntry;
  }
}

/**
 * Registers the gradients of tfjs-core's ops, which training needs (`optimizer.minimize`,
 * `tf.variableGrads`; without them: "gradient function not found for Mean"). They come with the
 * layers bundle, which `@tensorflow/tfjs` depends on; ~30–40 ms of CPU to load, so only training
 * loads it — not a recommend, and not an ingest thread. Idempotent.
 */
export function loadTrainingGradients(): void {
  require('@tensorflow/tfjs-layers');
}

/** Names of the backends this project can run on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let ready: Promise<BackendName> | undefined;

async function tryTfjsNode(): Promise<boolean> {
  try {
    // Optional: its install downloads a native library and fails on offline machines.
    const moduleName = '@tensorflow/tfjs-node';
    await import(moduleName);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(`${path.join(path.dirname(pkg), 'dist')}${path.sep}`);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function tryCpu(): Promise<boolean> {
  require('@tensorflow/tfjs-backend-cpu');
  return await tf.setBackend('cpu');
}

/**
 * Initialises tfjs once and returns the backend in use. Safe to call many times.
 *
 * @returns the active backend name
 * @throws SynestheteError `E_CONFIG` when `SYNESTHETE_TF_BACKEND` names a backend that cannot start
 */
export function initBackend(): Promise<BackendName> {
  ready ??= (async (): Promise<BackendName> => {
    tf.env().set('PROD', true);
    const forced = process.env.SYNESTHETE_TF_BACKEND as BackendName | undefined;
    const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
    for (const name of order) {
      const ok =
        name === 'tensorflow'
          ? await tryTfjsNode()
          : name === 'wasm'
            ? await tryWasm()
            : await tryCpu();
      if (ok) {
        await tf.ready();
        return name;
      }
    }
    throw new SynestheteError(
      'E_CONFIG',
      `SYNESTHETE_TF_BACKEND=${forced ?? ''} could not be started (use tensorflow, wasm or cpu)`,
    );
  })();
  return ready;
}
