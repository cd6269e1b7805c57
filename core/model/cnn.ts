/**
 * The Synesthete CNN: a stack of 1-D convolutions over time on log-mel windows (mel bands are the
 * input channels, as in the "timbre" front ends of Pons et al. 2017 and Dieleman & Schrauwen 2014),
 * average pooling between layers, global mean + max pooling over time, and a linear layer to the
 * embedding. A small projection head is used only by contrastive training (SimCLR, Chen et al.
 * 2020) and is not part of the embedding.
 *
 * Convolutions are written as pad → k shifted slices → concat → one matrix product (im2col). Every
 * op of that form has a gradient on the WebAssembly backend, which lacks Conv2DBackpropFilter, and
 * the matrix product's gradient uses explicit transposes: the wasm BatchMatMul with a transpose flag
 * was measured ten times slower than transpose + plain BatchMatMul on this machine. Inference,
 * which needs no gradient, runs the same network as fused convolutions ({@link embedBatchInference}).
 */
import { type BackendName, tf } from './backend.js';

/** Shape of the network; stored in model.json so a loader can rebuild it. */
export interface CnnArchitecture {
  readonly kind: 'conv1d-stack';
  /** Frames per input window (time axis). Must be divisible by 2^(channels.length - 1). */
  readonly inputFrames: number;
  /** Mel bands per frame (input channels). */
  readonly nMels: number;
  /** Odd convolution kernel size along time. */
  readonly kernelSize: number;
  /** Output channels of each convolution; a ×2 average pool follows every one but the last. */
  readonly channels: readonly number[];
  /** Embedding size. */
  readonly embeddingSize: number;
  /** Size of the contrastive projection head (training only). */
  readonly projectionSize: number;
}

/** Named weight tensors of a {@link CnnArchitecture}. */
export type CnnWeights = Record<string, tf.Tensor>;

/** Default architecture: 64 mel bands × 128 frames → 128-d embedding (~0.3 M parameters). */
export const DEFAULT_ARCHITECTURE: CnnArchitecture = {
  kind: 'conv1d-stack',
  inputFrames: 128,
  nMels: 64,
  kernelSize: 3,
  channels: [128, 128, 128, 256],
  embeddingSize: 128,
  projectionSize: 128,
};

/** Weight names and shapes of an architecture, in a stable order. */
export function weightShapes(arch: CnnArchitecture): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = [];
  let inChannels = arch.nMels;
  arch.channels.forEach((out, i) => {
    shapes.push([`conv${i}/kernel`, [arch.kernelSize * inChannels, out]]);
    shapes.push([`conv${i}/bias`, [out]]);
    inChannels = out;
  });
  shapes.push(['embed/kernel', [2 * inChannels, arch.embeddingSize]]);
  shapes.push(['embed/bias', [arch.embeddingSize]]);
  shapes.push(['head/kernel', [arch.embeddingSize, arch.projectionSize]]);
  shapes.push(['head/bias', [arch.projectionSize]]);
  return shapes;
}

/**
 * He-normal initialised weights (He et al. 2015) as trainable variables, from a seed.
 *
 * @param arch - the architecture
 * @param seed - integer seed; the same seed gives the same weights
 */
export function initWeights(arch: CnnArchitecture, seed: number): Record<string, tf.Variable> {
  const weights: Record<string, tf.Variable> = {};
  weightShapes(arch).forEach(([name, shape], i) => {
    const init = name.endsWith('/bias')
      ? tf.zeros(shape)
      : tf.randomNormal(shape, 0, Math.sqrt(2 / (shape[0] ?? 1)), 'float32', seed + i);
    // Unnamed: tfjs registers variable names globally, and a second run must not collide.
    weights[name] = tf.variable(init, true);
    init.dispose();
  });
  return weights;
}

/**
 * x · w with a gradient that avoids the slow transposed matrix products of the wasm backend.
 * x: [n, a], w: [a, b] → [n, b].
 */
const linear = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * x · w for an `x` that needs no gradient (the input windows of the first layer): the backward pass
 * computes only xᵀ·dy, which saves the largest matrix product of the first layer and the
 * slice/concat gradients behind it. x: [n, a], w: [a, b] → [n, b].
 */
const linearConstantInput = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [sx] = saved as [tf.Tensor2D];
      return [tf.zerosLike(sx), tf.matMul(tf.transpose(sx), g)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

function weight(weights: CnnWeights, name: string): tf.Tensor {
  const w = weights[name];
  if (!w) throw new Error(`missing weight ${name}`);
  return w;
}

/**
 * 'same' 1-D convolution + bias + ReLU. x: [b, t, c] → [b, t, out]. `constantInput`: x needs no
 * gradient (see {@link linearConstantInput}).
 */
function conv1d(
  x: tf.Tensor3D,
  kernel: tf.Tensor,
  bias: tf.Tensor,
  k: number,
  constantInput = false,
): tf.Tensor3D {
  const [b, t, c] = x.shape;
  const half = (k - 1) / 2;
  const padded = tf.pad(x, [
    [0, 0],
    [half, half],
    [0, 0],
  ]);
  const shifted: tf.Tensor3D[] = [];
  for (let i = 0; i < k; i++) shifted.push(tf.slice(padded, [0, i, 0], [b, t, c]));
  const cols = tf.reshape(tf.concat(shifted, 2), [b * t, k * c]);
  const product = constantInput ? linearConstantInput : linear;
  const out = tf.add(product(cols as tf.Tensor2D, kernel as tf.Tensor2D), bias);
  return tf.reshape(tf.relu(out), [b, t, -1]);
}

/** ×2 average pooling over time. x: [b, t, c] → [b, t/2, c]. */
function avgPool2(x: tf.Tensor3D): tf.Tensor3D {
  const [b, t, c] = x.shape;
  return tf.mean(tf.reshape(x, [b, t / 2, 2, c]), 2);
}

/**
 * Embeds a batch of normalised log-mel windows.
 *
 * @param weights - weights of `arch`
 * @param arch - the architecture
 * @param x - [batch, inputFrames, nMels] normalised log-mel windows
 * @param inputGradient - also compute the gradient with respect to `x` in training (default
 *   false: the input is data, and skipping it made a training step 1.3–1.5× faster; true only to
 *   measure that in bench/)
 * @returns [batch, embeddingSize] embeddings, not yet L2-normalised
 */
export function embedBatch(
  weights: CnnWeights,
  arch: CnnArchitecture,
  x: tf.Tensor3D,
  inputGradient = false,
): tf.Tensor2D {
  let h = x;
  arch.channels.forEach((_, i) => {
    h = conv1d(
      h,
      weight(weights, `conv${i}/kernel`),
      weight(weights, `conv${i}/bias`),
      arch.kernelSize,
      i === 0 && !inputGradient,
    );
    if (i < arch.channels.length - 1) h = avgPool2(h);
  });
  const pooled = tf.concat([tf.mean(h, 1), tf.max(h, 1)], 1) as tf.Tensor2D;
  return tf.add(
    linear(pooled, weight(weights, 'embed/kernel') as tf.Tensor2D),
    weight(weights, 'embed/bias'),
  );
}

/**
 * The same embedding as {@link embedBatch}, for inference only (no gradient): each convolution is
 * one fused op — convolution, bias and ReLU (`tf.fused.conv2d` over a height of 1, the kernel
 * `[k·c, out]` read as `[1, k, c, out]`: im2col's column `i·c + ch` is tap `i` of channel `ch`,
 * and 'same' padding is the `(k − 1) / 2` zero frames either side that {@link conv1d} pads). On the
 * WebAssembly backend that is XNNPACK's convolution instead of k slices, a concat and a matrix
 * product: a batch of 19 windows took 17–20 ms instead of 23–31 ms on the 2-core development
 * machine; the embeddings agree to within 2e-6 (float32 sums in another order).
 *
 * @param weights - weights of `arch`
 * @param arch - the architecture
 * @param x - [batch, inputFrames, nMels] normalised log-mel windows
 * @returns [batch, embeddingSize] embeddings, not yet L2-normalised
 */
export function embedBatchInference(
  weights: CnnWeights,
  arch: CnnArchitecture,
  x: tf.Tensor3D,
): tf.Tensor2D {
  let h = x;
  arch.channels.forEach((out, i) => {
    const [b, t, c] = h.shape;
    const filter = tf.reshape(weight(weights, `conv${i}/kernel`), [1, arch.kernelSize, c, out]);
    const y = tf.fused.conv2d({
      x: tf.reshape(h, [b, 1, t, c]) as tf.Tensor4D,
      filter: filter as tf.Tensor4D,
      strides: 1,
      pad: 'same',
      bias: weight(weights, `conv${i}/bias`),
      activation: 'relu',
    });
    h = tf.reshape(y, [b, t, out]);
    if (i < arch.channels.length - 1) h = avgPool2(h);
  });
  const pooled = tf.concat([tf.mean(h, 1), tf.max(h, 1)], 1) as tf.Tensor2D;
  return tf.add(
    tf.matMul(pooled, weight(weights, 'embed/kernel') as tf.Tensor2D),
    weight(weights, 'embed/bias'),
  );
}

/**
 * Contrastive projection head (training only): ReLU then linear. [batch, E] → [batch, P].
 */
export function projectionHead(weights: CnnWeights, embedding: tf.Tensor2D): tf.Tensor2D {
  return tf.add(
    linear(tf.relu(embedding), weight(weights, 'head/kernel') as tf.Tensor2D),
    weight(weights, 'head/bias'),
  );
}

/** Row-wise L2 normalisation of [n, d]; rows of zeros stay zero. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-12));
}

/** Number of trainable parameters of an architecture (embedding and head). */
export function parameterCount(arch: CnnArchitecture): number {
  return weightShapes(arch).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

export type { BackendName };
