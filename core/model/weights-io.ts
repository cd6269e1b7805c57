/**
 * Reading and writing the model files: model.json (architecture + tfjs weights manifest),
 * weights.bin (little-endian float32, tfjs `io.encodeWeights` layout) and metadata.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STYLE_PARTS, STYLE_SIZE } from '../features/style.js';
import { TONALITY_SIZE } from '../features/tonality.js';
import { SynestheteError } from '../util/errors.js';
import { tf } from './backend.js';
import { type CnnArchitecture, weightShapes } from './cnn.js';
import type { ModelMetadata } from './metadata.js';

/** Contents of model.json. */
interface ModelJson {
  readonly format: 'synesthete-cnn/1';
  readonly architecture: CnnArchitecture;
  readonly weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** A model read from disk. */
export interface ModelFiles {
  readonly architecture: CnnArchitecture;
  readonly weights: Record<string, tf.Tensor>;
  readonly metadata: ModelMetadata;
}

/**
 * Writes model.json, weights.bin and metadata.json into `dir` (created if missing).
 *
 * @param dir - target directory
 * @param architecture - the architecture the weights belong to
 * @param weights - named tensors, at least every name of {@link weightShapes}
 * @param metadata - feature parameters, version, training record and figures
 */
export async function saveModel(
  dir: string,
  architecture: CnnArchitecture,
  weights: Record<string, tf.Tensor>,
  metadata: ModelMetadata,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const named = weightShapes(architecture).map(([name]) => {
    const tensor = weights[name];
    if (!tensor) throw new Error(`saveModel: missing weight ${name}`);
    return { name, tensor };
  });
  const { data, specs } = await tf.io.encodeWeights(named);
  const json: ModelJson = {
    format: 'synesthete-cnn/1',
    architecture,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  await writeFile(path.join(dir, 'weights.bin'), Buffer.from(data as ArrayBuffer));
  await writeFile(path.join(dir, 'model.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(path.join(dir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new SynestheteError('E_MODEL', `cannot read model file ${file}`, { cause: error });
  }
}

/**
 * Reads a model directory and checks that its parts agree: the format, every weight's shape
 * against the architecture, metadata (nMels, window frames, embedding size) against the
 * architecture, and the lengths of the fused style statistics — a mismatch fails early instead of
 * producing wrong embeddings.
 *
 * @param dir - directory holding model.json, weights.bin and metadata.json
 * @throws SynestheteError `E_MODEL` when a file is missing or malformed, or the parts disagree
 */
export async function loadModelFiles(dir: string): Promise<ModelFiles> {
  const json = await readJson<ModelJson>(path.join(dir, 'model.json'));
  const metadata = await readJson<ModelMetadata>(path.join(dir, 'metadata.json'));
  if (json.format !== 'synesthete-cnn/1') {
    throw new SynestheteError('E_MODEL', `unknown model format "${String(json.format)}" in ${dir}`);
  }
  const arch = json.architecture;
  const problems: string[] = [];
  if (metadata.features.nMels !== arch.nMels) problems.push('nMels');
  if (metadata.window.frames !== arch.inputFrames) problems.push('window frames');
  if (metadata.embeddingSize !== arch.embeddingSize) problems.push('embedding size');
  const style = metadata.fusion?.style;
  if (
    style &&
    (style.weights.length !== STYLE_PARTS.length ||
      style.mean.length !== STYLE_SIZE ||
      style.std.length !== STYLE_SIZE ||
      (style.clip &&
        (style.clip.scale.length !== STYLE_SIZE || style.clip.offset.length !== STYLE_SIZE)))
  ) {
    problems.push(`the style statistics (${STYLE_SIZE} values, ${STYLE_PARTS.length} parts)`);
  }
  const tonality = metadata.fusion?.tonality;
  if (
    tonality &&
    (!style ||
      !(tonality.weight >= 0) ||
      tonality.mean.length !== TONALITY_SIZE ||
      tonality.std.length !== TONALITY_SIZE ||
      (tonality.clip &&
        (tonality.clip.scale.length !== TONALITY_SIZE ||
          tonality.clip.offset.length !== TONALITY_SIZE)))
  ) {
    problems.push(`the tonality statistics (${TONALITY_SIZE} values, with style statistics)`);
  }
  if (problems.length > 0) {
    throw new SynestheteError(
      'E_MODEL',
      `model.json and metadata.json disagree on ${problems.join(', ')} in ${dir}`,
    );
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  let buffer: Buffer;
  try {
    buffer = await readFile(path.join(dir, 'weights.bin'));
  } catch (error) {
    throw new SynestheteError('E_MODEL', `cannot read ${path.join(dir, 'weights.bin')}`, {
      cause: error,
    });
  }
  const expectedBytes = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (buffer.byteLength !== expectedBytes) {
    throw new SynestheteError(
      'E_MODEL',
      `weights.bin in ${dir} is ${buffer.byteLength} bytes, expected ${expectedBytes}`,
    );
  }
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const weights = tf.io.decodeWeights(arrayBuffer as ArrayBuffer, specs);
  for (const [name, shape] of weightShapes(arch)) {
    const tensor = weights[name];
    if (!tensor || tensor.shape.join('x') !== shape.join('x')) {
      throw new SynestheteError(
        'E_MODEL',
        `weight ${name} is missing or has the wrong shape in ${dir}`,
      );
    }
  }
  return { architecture: arch, weights, metadata };
}
