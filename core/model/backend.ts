/**
 * TensorFlow.js backend selection. One tfjs instance for the whole process:
 * `@tensorflow/tfjs-node` (native TensorFlow) when it is installed and importable, else the
 * WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, SIMD, single-threaded in Node), else the
 * pure-JavaScript `cpu` backend. `SYNESTHETE_TF_BACKEND` (`tensorflow` | `wasm` | `cpu`) forces one.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { SynestheteError } from '../errors.js';

export { tf };

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
            : await tf.setBackend('cpu');
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
