/**
 * A serving process in miniature, for bench/scale.ts: loads the model (tfjs) and a saved track
 * index, embeds a clip's worth of windows and answers 100 queries, then prints its RSS and how
 * long it took to get ready, as one JSON line. Usage: `node dist/bench/serving-rss.js <base> <dim>
 * [<projected dim> <seed>]`: the index is `<base>.hnsw`, with `<base>.rows` when projected
 * (core/index/projected-index.ts).
 *
 * @module
 */
import { HnswIndex } from '../core/index/hnsw-index.js';
import { ProjectedIndex } from '../core/index/projected-index.js';
import { loadEmbeddingModel } from '../core/model/embedder.js';

const started = performance.now();
const [base, dimText, projectedDim, seed] = process.argv.slice(2);
if (!base || !dimText) throw new Error('usage: serving-rss <base> <dim> [<projected dim> <seed>]');
const dim = Number(dimText);
const model = await loadEmbeddingModel();
const index =
  projectedDim === undefined
    ? HnswIndex.load(`${base}.hnsw`, dim)
    : ProjectedIndex.load(`${base}.hnsw`, `${base}.rows`, dim, Number(projectedDim), Number(seed));
const startMs = performance.now() - started;
const { frames } = model.metadata.window;
const { nMels } = model.metadata.features;
const count = 10;
model.embedWindows({
  data: Float32Array.from({ length: count * frames * nMels }, () => Math.random() * 4 - 8),
  count,
  frames,
  nMels,
});
for (let i = 0; i < 100; i++) {
  const q = Float32Array.from({ length: dim }, () => Math.random() - 0.5);
  index.query(q, 10);
}
process.stdout.write(
  `${JSON.stringify({ rssMiB: process.memoryUsage().rss / 2 ** 20, startMs, tracks: index.size })}\n`,
);
