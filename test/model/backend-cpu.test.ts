/**
 * The plain JavaScript `cpu` backend is loaded only when asked for (`SYNESTHETE_TF_BACKEND=cpu`, or
 * when neither native TensorFlow nor WebAssembly starts): it must still register and compute.
 */
import { afterAll, expect, it } from 'vitest';

const before = process.env.SYNESTHETE_TF_BACKEND;
afterAll(() => {
  if (before === undefined) delete process.env.SYNESTHETE_TF_BACKEND;
  else process.env.SYNESTHETE_TF_BACKEND = before;
});

it('starts the cpu backend on demand and computes with it', async () => {
  process.env.SYNESTHETE_TF_BACKEND = 'cpu';
  const { initBackend, tf } = await import('../../core/model/backend.js');
  expect(tf.engine().registryFactory.cpu).toBeUndefined();
  expect(await initBackend()).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  const sum = tf.add(tf.tensor1d([1, 2, 3]), tf.tensor1d([0.5, 0.25, -3]));
  expect(Array.from(await sum.data())).toEqual([1.5, 2.25, 0]);
});
