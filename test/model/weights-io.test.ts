/**
 * Model files: a saved model loads back identically; a model whose parts disagree, or whose
 * weights.bin is truncated or missing, is refused with E_MODEL before any embedding is made.
 */
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type tf } from '../../core/model/backend.js';
import { type CnnArchitecture, initWeights } from '../../core/model/cnn.js';
import { DEFAULT_LOG_MEL, type ModelMetadata } from '../../core/model/metadata.js';
import { loadModelFiles, saveModel } from '../../core/model/weights-io.js';
import { SynestheteError } from '../../core/util/errors.js';
import { tempDir } from '../helpers/temp.js';

const ARCH: CnnArchitecture = {
  kind: 'conv1d-stack',
  inputFrames: 16,
  nMels: 8,
  kernelSize: 3,
  channels: [6, 6],
  embeddingSize: 4,
  projectionSize: 4,
};

const METADATA: ModelMetadata = {
  name: 'weights-io-test',
  version: 'test-1',
  features: { ...DEFAULT_LOG_MEL, nMels: 8 },
  window: { frames: 16, hopFrames: 8 },
  embeddingSize: 4,
  inputNormalization: { mean: 0, std: 2 },
  matching: { minScore: 0.9, minMargin: 0.01 },
  calibration: { a: 10, b: -5, method: 'test' },
};

/** Loads `dir` and returns the E_MODEL message, failing the test on success or another error. */
async function modelError(dir: string): Promise<string> {
  try {
    const files = await loadModelFiles(dir);
    for (const t of Object.values(files.weights)) t.dispose();
  } catch (error) {
    expect(error).toBeInstanceOf(SynestheteError);
    expect((error as SynestheteError).code).toBe('E_MODEL');
    return (error as SynestheteError).message;
  }
  throw new Error(`loadModelFiles(${dir}) accepted a broken model`);
}

describe('model files', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let weights: Record<string, tf.Variable>;
  let n = 0;

  /** Saves the test model into a fresh folder, with `metadata` (default METADATA). */
  async function saved(metadata: ModelMetadata = METADATA): Promise<string> {
    const dir = path.join(tmp.dir, `model-${n++}`);
    await saveModel(dir, ARCH, weights, metadata);
    return dir;
  }

  beforeAll(async () => {
    await initBackend();
    tmp = await tempDir('weights-io');
    weights = initWeights(ARCH, 11);
  });

  afterAll(async () => {
    for (const w of Object.values(weights ?? {})) w.dispose();
    await tmp.remove();
  });

  it('loads back exactly what was saved', async () => {
    const dir = await saved();
    const files = await loadModelFiles(dir);
    expect(files.architecture).toEqual(ARCH);
    expect(files.metadata).toEqual(METADATA);
    expect(Object.keys(files.weights).sort()).toEqual(Object.keys(weights).sort());
    for (const [name, tensor] of Object.entries(files.weights)) {
      expect(tensor.shape).toEqual(weights[name]!.shape);
      expect(Array.from(tensor.dataSync())).toEqual(Array.from(weights[name]!.dataSync()));
      tensor.dispose();
    }
  });

  it.each([
    ['nMels', { features: { ...DEFAULT_LOG_MEL, nMels: 64 } }],
    ['window frames', { window: { frames: 128, hopFrames: 64 } }],
    ['embedding size', { embeddingSize: 128 }],
    [
      'style statistics',
      {
        fusion: {
          weight: 0.3,
          timbreMean: [0],
          timbreStd: [1],
          style: { weights: [0.1, 0.2, 0.2], mean: [0, 1], std: [1, 1] },
        },
      },
    ],
  ])('refuses metadata.json that disagrees with model.json on %s', async (what, change) => {
    const dir = await saved({ ...METADATA, ...change });
    const message = await modelError(dir);
    expect(message).toContain('disagree');
    expect(message).toContain(what);
  });

  it('refuses a truncated weights.bin', async () => {
    const dir = await saved();
    const file = path.join(dir, 'weights.bin');
    const bytes = (await readFile(file)).byteLength;
    await truncate(file, Math.floor(bytes / 2));
    expect(await modelError(dir)).toMatch(/weights\.bin .* is \d+ bytes, expected \d+/);
  });

  it('refuses a missing weights.bin, a missing metadata.json, malformed JSON and an unknown format', async () => {
    const noWeights = await saved();
    await rm(path.join(noWeights, 'weights.bin'));
    expect(await modelError(noWeights)).toContain('weights.bin');

    const noMetadata = await saved();
    await rm(path.join(noMetadata, 'metadata.json'));
    expect(await modelError(noMetadata)).toContain('metadata.json');

    const malformed = await saved();
    await writeFile(path.join(malformed, 'model.json'), '{ not json');
    expect(await modelError(malformed)).toContain('model.json');

    const otherFormat = await saved();
    const json = JSON.parse(await readFile(path.join(otherFormat, 'model.json'), 'utf8'));
    await writeFile(
      path.join(otherFormat, 'model.json'),
      JSON.stringify({ ...json, format: 'keras' }),
    );
    expect(await modelError(otherFormat)).toContain('unknown model format');

    expect(await modelError(path.join(tmp.dir, 'no-such-model'))).toContain('model.json');
  });

  it('refuses a weight whose shape does not match the architecture', async () => {
    const dir = await saved();
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    // Same byte count, wrong shape: the two first dimensions swapped.
    const spec = json.weightsManifest[0].weights[0];
    spec.shape = [spec.shape[1], spec.shape[0]];
    await writeFile(file, JSON.stringify(json));
    expect(await modelError(dir)).toContain('wrong shape');
  });
});
