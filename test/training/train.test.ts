/**
 * The training loop on a tiny CNN and synthetic spectrograms: a run writes a checkpoint, a second
 * run with the same checkpoint directory resumes from it, and resuming gives the same weights as
 * an uninterrupted run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../core/model/backend.js';
import { embedBatch, projectionHead } from '../../core/model/cnn.js';
import { createRng } from '../../core/util/random.js';
import { ntXentLoss } from '../../training/loss.js';
import { samplePairs } from '../../training/sampler.js';
import { type TrainConfig, type TrainResult, train } from '../../training/train.js';
import { tempDir } from '../helpers/temp.js';
import { distinctTracks, PLAIN_SAMPLER, TINY_ARCH, TINY_SAMPLER } from '../helpers/training.js';

/** Values of every weight, by name; the variables are disposed (train() registers them by name). */
function takeWeights(result: TrainResult): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(result.weights)) {
    out[name] = Array.from(v.dataSync());
    v.dispose();
  }
  return out;
}

describe('train', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const tracks = distinctTracks(6, 5);

  /** A config whose learning rate does not depend on `steps` (all steps are warm-up steps). */
  const config = (checkpointDir: string, steps: number): TrainConfig => ({
    architecture: TINY_ARCH,
    sampler: TINY_SAMPLER,
    batchSize: 4,
    steps,
    learningRate: 1e-2,
    warmupSteps: 100,
    temperature: 0.2,
    seed: 3,
    inputStd: 1,
    checkpointDir,
    checkpointEvery: 2,
    progress: false,
  });

  beforeAll(async () => {
    await initBackend();
    tmp = await tempDir('train');
  });

  afterAll(() => tmp.remove());

  it('trains 3 steps, writes a checkpoint, and a second run resumes at step 3', async () => {
    const dir = path.join(tmp.dir, 'resumed');
    const first = await train(tracks, config(dir, 3));
    expect(first).toMatchObject({ steps: 3, resumedFrom: 0 });
    expect(Number.isFinite(first.finalLoss)).toBe(true);
    expect(first.windowsPerSecond).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'checkpoint.bin'))).toBe(true);
    const state = JSON.parse(readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')).state;
    expect(state.step).toBe(3);
    expect(state.loss).toBeCloseTo(first.finalLoss, 5);
    takeWeights(first);

    const again = await train(tracks, config(dir, 3));
    expect(again).toMatchObject({ steps: 3, resumedFrom: 3, windowsPerSecond: 0 });
    takeWeights(again);
  });

  it('gives the same weights resumed (3 + 2 steps) as uninterrupted (5 steps)', async () => {
    const resumedDir = path.join(tmp.dir, 'resumed');
    const resumed = await train(tracks, config(resumedDir, 5));
    expect(resumed).toMatchObject({ steps: 5, resumedFrom: 3 });
    const a = takeWeights(resumed);

    const straight = await train(tracks, config(path.join(tmp.dir, 'straight'), 5));
    expect(straight.resumedFrom).toBe(0);
    expect(straight.finalLoss).toBeCloseTo(resumed.finalLoss, 4);
    const b = takeWeights(straight);
    for (const name of Object.keys(b)) {
      const diff = Math.max(...b[name]!.map((v, i) => Math.abs(v - a[name]![i]!)));
      expect(diff, name).toBeLessThan(1e-5);
    }
  });

  it('fine-tunes from given weights: starts exactly there, and a few steps stay near them', async () => {
    const base = await train(tracks, { ...config(path.join(tmp.dir, 'base'), 5), seed: 5 });
    const start = Object.fromEntries(Object.entries(base.weights).map(([k, v]) => [k, v.clone()]));
    const baseValues = takeWeights(base);
    const zero = await train(tracks, {
      ...config(path.join(tmp.dir, 'ft0'), 0),
      initialWeights: start,
    });
    const kept = takeWeights(zero);
    for (const name of Object.keys(baseValues)) expect(kept[name], name).toEqual(baseValues[name]);

    const tuned = takeWeights(
      await train(tracks, {
        ...config(path.join(tmp.dir, 'ft2'), 2),
        learningRate: 1e-3,
        initialWeights: start,
      }),
    );
    const fresh = takeWeights(await train(tracks, config(path.join(tmp.dir, 'fresh2'), 2)));
    const distance = (w: Record<string, number[]>) =>
      Math.hypot(
        ...Object.keys(baseValues).flatMap((n) => w[n]!.map((v, i) => v - baseValues[n]![i]!)),
      );
    expect(distance(tuned)).toBeGreaterThan(0);
    expect(distance(tuned)).toBeLessThan(distance(fresh) / 10);
    for (const t of Object.values(start)) t.dispose();
  });

  it("refuses initial weights that lack one of the architecture's", async () => {
    await expect(
      train(tracks, { ...config(path.join(tmp.dir, 'ft-bad'), 1), initialWeights: {} }),
    ).rejects.toThrow(/initial weights lack/);
  });

  it('learns: the loss on fixed held-aside batches drops after 40 steps; no tensor leak per step', async () => {
    /** Mean NT-Xent of 8 fixed, unaugmented batches (normalised like train() does, std 1). */
    const heldAsideLoss = (weights: Record<string, tf.Tensor>): number => {
      const size = TINY_SAMPLER.frames * TINY_ARCH.nMels;
      let sum = 0;
      for (let seed = 100; seed < 108; seed++) {
        const batch = samplePairs(tracks, 4, PLAIN_SAMPLER, createRng(seed));
        for (let w = 0; w < 8; w++) {
          const view = batch.subarray(w * size, (w + 1) * size);
          const mean = view.reduce((a, b) => a + b, 0) / size;
          for (let i = 0; i < size; i++) view[i] = view[i]! - mean;
        }
        sum += tf.tidy(() => {
          const x = tf.tensor3d(batch, [8, TINY_SAMPLER.frames, TINY_ARCH.nMels]);
          const z = projectionHead(weights, embedBatch(weights, TINY_ARCH, x));
          return ntXentLoss(z, 0.2).dataSync()[0]!;
        });
      }
      return sum / 8;
    };
    const learnConfig = (steps: number): TrainConfig => ({
      ...config(path.join(tmp.dir, `learn-${steps}`), steps),
      sampler: PLAIN_SAMPLER,
      warmupSteps: 5,
      checkpointEvery: 100,
    });
    /** Trains `steps` steps; returns the held-aside loss and the tensors left behind. */
    const run = async (steps: number) => {
      const before = tf.memory().numTensors;
      const result = await train(tracks, learnConfig(steps));
      const loss = heldAsideLoss(result.weights);
      takeWeights(result);
      return { loss, leftBehind: tf.memory().numTensors - before };
    };
    const untrained = await run(0);
    const short = await run(10);
    const trained = await run(40);
    expect(trained.loss).toBeLessThan(untrained.loss - 0.2);
    // Whatever a run leaves behind, it must not grow with the number of steps (both runs save
    // exactly one checkpoint, at their last step).
    expect(trained.leftBehind).toBe(short.leftBehind);
  });
});
