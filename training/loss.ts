/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, eq. 1).
 */
import { tf } from '../core/model/backend.js';

/**
 * @param z - [2B, P] projections; rows i and i+B are a positive pair, all other rows negatives
 * @param temperature - τ (0.1 in SimCLR's best setting for small batches)
 * @returns scalar mean loss over the 2B anchors
 */
export function ntXentLoss(z: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const n = z.shape[0];
    const half = n / 2;
    const unit = tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-12)) as tf.Tensor2D;
    // Explicit transpose: the wasm BatchMatMul with transposeB is much slower (see core/model/cnn.ts).
    const logits = tf.div(tf.matMul(unit, tf.transpose(unit)), temperature);
    const masked = tf.sub(logits, tf.mul(tf.eye(n), 1e9));
    const positives = tf.concat([tf.range(half, n, 1, 'int32'), tf.range(0, half, 1, 'int32')]);
    const target = tf.oneHot(positives, n);
    const positiveLogit = tf.sum(tf.mul(masked, target), 1);
    return tf.mean(tf.sub(tf.logSumExp(masked, 1), positiveLogit)) as tf.Scalar;
  });
}
