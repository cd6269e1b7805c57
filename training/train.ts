/**
 * The contrastive training loop: seeded, checkpointed, resumable, with a progress bar showing loss
 * and windows/s. Adam (Kingma & Ba 2015) with linear warm-up and cosine decay (Loshchilov & Hutter
 * 2017).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { loadTrainingGradients, tf } from '../core/model/backend.js';
import {
  type CnnArchitecture,
  embedBatch,
  initWeights,
  projectionHead,
  weightShapes,
} from '../core/model/cnn.js';
import { createRng } from '../core/util/random.js';
import type { CachedTrack } from './cache.js';
import { ntXentLoss } from './loss.js';
import { type SamplerConfig, samplePairs } from './sampler.js';

/** Settings of one training run. */
export interface TrainConfig {
  readonly architecture: CnnArchitecture;
  readonly sampler: SamplerConfig;
  /** Positive pairs per step (2 × this many windows). */
  readonly batchSize: number;
  readonly steps: number;
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly temperature: number;
  readonly seed: number;
  /** Global log-mel standard deviation used to normalise inputs. */
  readonly inputStd: number;
  /** Where checkpoints go; an existing checkpoint there is resumed. */
  readonly checkpointDir: string;
  readonly checkpointEvery: number;
  /** Show a progress bar on stderr. */
  readonly progress: boolean;
  /**
   * Weights to start from instead of a seeded initialisation (fine-tuning an existing model, as
   * `loadModelFiles` reads it): every name of the architecture's weights, projection head
   * included, each of its shape. Copied, not taken. A checkpoint in `checkpointDir` still wins.
   */
  readonly initialWeights?: Readonly<Record<string, tf.Tensor>>;
}

/** What a finished run returns. */
export interface TrainResult {
  readonly weights: Record<string, tf.Variable>;
  readonly steps: number;
  readonly finalLoss: number;
  /** Mean training throughput of this run, in windows per second. */
  readonly windowsPerSecond: number;
  readonly resumedFrom: number;
}

interface CheckpointState {
  step: number;
  rngState: number;
  loss: number;
}

/** Learning rate at `step`: linear warm-up, then cosine decay to 10 %. */
export function learningRateAt(step: number, config: TrainConfig): number {
  if (step < config.warmupSteps) return (config.learningRate * (step + 1)) / config.warmupSteps;
  const progress = (step - config.warmupSteps) / Math.max(1, config.steps - config.warmupSteps);
  return config.learningRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}

/** Normalises a batch of windows like the embedder does (per-window mean removed, global std). */
function normalize(batch: Float32Array, size: number, std: number): void {
  for (let start = 0; start < batch.length; start += size) {
    const view = batch.subarray(start, start + size);
    let mean = 0;
    for (let i = 0; i < size; i++) mean += view[i]!;
    mean /= size;
    for (let i = 0; i < size; i++) view[i] = (view[i]! - mean) / std;
  }
}

async function saveCheckpoint(
  dir: string,
  weights: Record<string, tf.Variable>,
  optimizer: tf.Optimizer,
  state: CheckpointState,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const named = [
    ...Object.entries(weights).map(([name, tensor]) => ({ name: `model/${name}`, tensor })),
    ...(await optimizer.getWeights()).map((w) => ({
      name: `optimizer/${w.name}`,
      tensor: w.tensor,
    })),
  ];
  const { data, specs } = await tf.io.encodeWeights(named);
  // getWeights() returns the live moment variables plus a fresh iteration scalar: free only that.
  for (const { name, tensor } of named) if (name === 'optimizer/iter') tensor.dispose();
  await writeFile(path.join(dir, 'checkpoint.bin.tmp'), Buffer.from(data as ArrayBuffer));
  await writeFile(path.join(dir, 'checkpoint.json.tmp'), JSON.stringify({ specs, state }));
  const { rename } = await import('node:fs/promises');
  await rename(path.join(dir, 'checkpoint.bin.tmp'), path.join(dir, 'checkpoint.bin'));
  await rename(path.join(dir, 'checkpoint.json.tmp'), path.join(dir, 'checkpoint.json'));
}

async function loadCheckpoint(
  dir: string,
  weights: Record<string, tf.Variable>,
  optimizer: tf.Optimizer,
): Promise<CheckpointState | undefined> {
  let json: { specs: tf.io.WeightsManifestEntry[]; state: CheckpointState };
  let buffer: Buffer;
  try {
    json = JSON.parse(await readFile(path.join(dir, 'checkpoint.json'), 'utf8'));
    buffer = await readFile(path.join(dir, 'checkpoint.bin'));
  } catch {
    return undefined;
  }
  const ab = buffer.buffer.slice(
    buffer.byteOffset,
    buffer.byteOffset + buffer.byteLength,
  ) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(ab, json.specs);
  const optimizerWeights: Parameters<tf.Optimizer['setWeights']>[0] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith('model/')) {
      weights[name.slice('model/'.length)]?.assign(tensor);
      tensor.dispose();
    } else optimizerWeights.push({ name: name.slice('optimizer/'.length), tensor });
  }
  await optimizer.setWeights(optimizerWeights);
  for (const { tensor } of optimizerWeights) tensor.dispose();
  return json.state;
}

/**
 * Trains the CNN contrastively on cached spectrograms.
 *
 * @param tracks - cached training tracks (at least `config.batchSize`)
 * @param config - run settings
 * @returns trained weights (tf variables owned by the caller) and run figures
 * @throws Error when `config.initialWeights` lacks one of the architecture's weights
 */
export async function train(
  tracks: readonly CachedTrack[],
  config: TrainConfig,
): Promise<TrainResult> {
  loadTrainingGradients();
  const initial = config.initialWeights;
  const missing = initial && weightShapes(config.architecture).find(([name]) => !initial[name]);
  if (missing) throw new Error(`train: the initial weights lack ${missing[0]}`);
  const weights = initWeights(config.architecture, config.seed);
  if (initial)
    for (const [name] of weightShapes(config.architecture)) weights[name]!.assign(initial[name]!);
  const optimizer = tf.train.adam(config.learningRate);
  const mutableLr = optimizer as unknown as { learningRate: number };
  const resumed = await loadCheckpoint(config.checkpointDir, weights, optimizer);
  let step = resumed?.step ?? 0;
  const resumedFrom = step;
  const rng = createRng(resumed?.rngState ?? config.seed);
  const size = config.sampler.frames * config.architecture.nMels;
  const bar = config.progress
    ? new cliProgress.SingleBar(
        {
          format:
            'train |{bar}| {value}/{total} steps | loss {loss} | {wps} windows/s | ETA {eta_formatted}',
          etaBuffer: 20,
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(config.steps, step, { loss: '-', wps: '-' });
  let lossValue = resumed?.loss ?? Number.NaN;
  const started = performance.now();
  const trainable = weightShapes(config.architecture).map(([name]) => weights[name]!);
  while (step < config.steps) {
    const batch = samplePairs(tracks, config.batchSize, config.sampler, rng);
    normalize(batch, size, config.inputStd);
    mutableLr.learningRate = learningRateAt(step, config);
    const loss = optimizer.minimize(
      () => {
        const x = tf.tensor3d(batch, [
          2 * config.batchSize,
          config.sampler.frames,
          config.architecture.nMels,
        ]);
        const z = projectionHead(weights, embedBatch(weights, config.architecture, x));
        return ntXentLoss(z, config.temperature);
      },
      true,
      trainable,
    );
    lossValue = loss ? (await loss.data())[0]! : Number.NaN;
    loss?.dispose();
    step++;
    const seconds = (performance.now() - started) / 1000;
    const wps = ((step - resumedFrom) * 2 * config.batchSize) / seconds;
    bar?.update(step, { loss: lossValue.toFixed(3), wps: wps.toFixed(0) });
    if (step % config.checkpointEvery === 0 || step === config.steps) {
      await saveCheckpoint(config.checkpointDir, weights, optimizer, {
        step,
        rngState: rng.state(),
        loss: lossValue,
      });
    }
  }
  bar?.stop();
  const seconds = (performance.now() - started) / 1000;
  optimizer.dispose();
  return {
    weights,
    steps: step,
    finalLoss: lossValue,
    windowsPerSecond:
      step > resumedFrom ? ((step - resumedFrom) * 2 * config.batchSize) / seconds : 0,
    resumedFrom,
  };
}
