/** NT-Xent (SimCLR) loss: low when rows i and i+B agree, high when the pairs are shuffled. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../core/model/backend.js';
import { ntXentLoss } from '../../training/loss.js';

describe('ntXentLoss', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('is lower for matching pairs than for shuffled ones', () => {
    const [matched, shuffled] = tf.tidy(() => {
      const anchors = tf.randomNormal([8, 16], 0, 1, 'float32', 1);
      const views = tf.add(anchors, tf.randomNormal([8, 16], 0, 0.1, 'float32', 2));
      const order = tf.tensor1d([3, 0, 1, 2, 7, 4, 5, 6], 'int32'); // no row stays in place
      const a = ntXentLoss(tf.concat([anchors, views]) as tf.Tensor2D, 0.1).dataSync()[0]!;
      const b = ntXentLoss(
        tf.concat([anchors, tf.gather(views, order)]) as tf.Tensor2D,
        0.1,
      ).dataSync()[0]!;
      return [a, b];
    });
    expect(Number.isFinite(matched)).toBe(true);
    expect(matched).toBeLessThan(shuffled);
    expect(matched).toBeLessThan(0.5);
    // Cross-entropy over 2B - 1 candidates: shuffled pairs are no better than chance, log(15).
    expect(shuffled).toBeGreaterThan(Math.log(15) - 0.5);
    expect(matched).toBeGreaterThanOrEqual(0);
  });

  it('is symmetric in which half holds the anchors, and scale-invariant', () => {
    const [ab, ba, scaled] = tf.tidy(() => {
      const a = tf.randomNormal([4, 8], 0, 1, 'float32', 3);
      const b = tf.randomNormal([4, 8], 0, 1, 'float32', 4);
      return [
        ntXentLoss(tf.concat([a, b]) as tf.Tensor2D, 0.5).dataSync()[0]!,
        ntXentLoss(tf.concat([b, a]) as tf.Tensor2D, 0.5).dataSync()[0]!,
        ntXentLoss(tf.mul(tf.concat([a, b]), 7) as tf.Tensor2D, 0.5).dataSync()[0]!,
      ];
    });
    expect(ba).toBeCloseTo(ab, 5);
    expect(scaled).toBeCloseTo(ab, 5);
  });

  it('leaves no tensors behind', () => {
    const z = tf.randomNormal([8, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    ntXentLoss(z, 0.1).dispose();
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
  });
});
