/**
 * Training throughput: windows per second of one contrastive training step (forward, NT-Xent,
 * backward, Adam) of the shipped architecture on random windows, at several batch sizes, with
 * (`before`) and without (`after`, as training runs) the gradient of the first convolution's
 * input (the windows).
 * Prints figures, asserts nothing. Median of `STEPS` steps after one warm-up step.
 */
import { loadTrainingGradients, tf } from '../core/model/backend.js';
import {
  DEFAULT_ARCHITECTURE,
  embedBatch,
  initWeights,
  projectionHead,
  weightShapes,
} from '../core/model/cnn.js';
import { createRng } from '../core/util/random.js';
import { ntXentLoss } from '../training/loss.js';

const STEPS = 3;

/** One row of the table: batch size (pairs), variant, seconds per step, windows per second. */
export interface TrainingThroughput {
  readonly pairs: number;
  readonly variant: 'before' | 'after';
  readonly secondsPerStep: number;
  readonly windowsPerSecond: number;
}

/**
 * Measures training steps.
 *
 * @param batchSizes - positive pairs per step (2 × this many windows)
 * @returns one row per batch size and variant
 */
export async function measureTraining(
  batchSizes: readonly number[] = [32, 64, 128],
): Promise<TrainingThroughput[]> {
  loadTrainingGradients();
  const arch = DEFAULT_ARCHITECTURE;
  const weights = initWeights(arch, 1);
  const trainable = weightShapes(arch).map(([name]) => weights[name]!);
  const optimizer = tf.train.adam(1e-4);
  const rng = createRng(3);
  const rows: TrainingThroughput[] = [];
  try {
    for (const pairs of batchSizes) {
      const data = Float32Array.from(
        { length: 2 * pairs * arch.inputFrames * arch.nMels },
        () => rng() * 2 - 1,
      );
      for (const variant of ['before', 'after'] as const) {
        const times: number[] = [];
        for (let i = 0; i <= STEPS; i++) {
          const started = performance.now();
          const loss = optimizer.minimize(
            () => {
              const x = tf.tensor3d(data, [2 * pairs, arch.inputFrames, arch.nMels]);
              const z = projectionHead(weights, embedBatch(weights, arch, x, variant === 'before'));
              return ntXentLoss(z, 0.1);
            },
            true,
            trainable,
          );
          await loss?.data();
          loss?.dispose();
          if (i > 0) times.push((performance.now() - started) / 1000);
        }
        times.sort((a, b) => a - b);
        const secondsPerStep = times[Math.floor(times.length / 2)]!;
        rows.push({
          pairs,
          variant,
          secondsPerStep,
          windowsPerSecond: (2 * pairs) / secondsPerStep,
        });
      }
    }
  } finally {
    optimizer.dispose();
    for (const w of Object.values(weights)) w.dispose();
  }
  return rows;
}
