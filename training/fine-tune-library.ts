/**
 * Research: "the model learns your library". Fine-tunes a trained model on a folder of music
 * without labels — the training objective (NT-Xent over two windows of one track, clean or
 * through a voice-note chain) started from the model's own weights — then writes a model
 * directory: the new weights, the window-embedding standardisation measured on the folder, and
 * every other setting of the base model as it was.
 *
 *   node dist/training/fine-tune-library.js FOLDER OUT_DIR [--steps 1000] [--lr 1e-3]
 *     [--batch 64] [--base models/synesthete-cnn] [--cache data/cache/library]
 *
 * Not a product path yet: the base model's music gate reads window embeddings, so it does not
 * hold for the new weights, and `synesthete ingest` with SYNESTHETE_MODEL_DIR=OUT_DIR is needed
 * to use it. Figures: docs/similarity.md ("What else was measured").
 */
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../core/model/backend.js';
import { createEmbeddingModel } from '../core/model/embedder.js';
import { loadModelFiles, saveModel } from '../core/model/weights-io.js';
import { buildCache } from './cache.js';
import { scanCorpusFolder } from './corpus.js';
import { loadNoiseBank } from './noise-bank.js';
import { embeddingStatistics } from './pipeline.js';
import { DEFAULT_SAMPLER } from './sampler.js';
import { train } from './train.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const [folder, outDir] = process.argv.slice(2);
  if (!folder || !outDir) throw new Error('usage: FOLDER OUT_DIR');
  const steps = Number(arg('--steps', '1000'));
  const lr = Number(arg('--lr', '1e-3'));
  const batch = Number(arg('--batch', '64'));
  const base = arg('--base', 'models/synesthete-cnn');
  const backend = await initBackend();
  const files = await loadModelFiles(base);
  const params = files.metadata.features;
  const items = await scanCorpusFolder(folder);
  const cacheDir = arg('--cache', path.join('data', 'cache', 'library'));
  const noiseBank = await loadNoiseBank(
    path.join('data', 'cache', 'noise-bank'),
    params.sampleRate,
    'fit',
  );
  const t0 = performance.now();
  const cached = await buildCache(items, {
    noiseBank,
    cacheDir,
    params,
    maxSecondsPerTrack: 120,
    concurrency: Math.max(1, os.availableParallelism()),
    seed: 7,
  });
  console.error(
    `cache: ${cached.tracks.length} tracks in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const t1 = performance.now();
  const result = await train(cached.tracks, {
    architecture: files.architecture,
    sampler: { ...DEFAULT_SAMPLER, frames: files.metadata.window.frames },
    batchSize: batch,
    steps,
    learningRate: lr,
    warmupSteps: Math.min(20, Math.ceil(steps / 10)),
    temperature: 0.1,
    seed: 7,
    inputStd: files.metadata.inputNormalization.std,
    checkpointDir: path.join(outDir, 'run'),
    checkpointEvery: 1_000_000,
    progress: true,
    initialWeights: files.weights,
  });
  console.error(
    `train: ${steps} steps in ${((performance.now() - t1) / 1000).toFixed(1)} s, loss ${result.finalLoss.toFixed(3)}`,
  );
  const { embeddingNormalization: _, ...raw } = files.metadata;
  // The model shares result.weights: it is not disposed before they are saved.
  const model = createEmbeddingModel(files.architecture, result.weights, raw, backend, outDir);
  const metadata = {
    ...files.metadata,
    version: `${files.metadata.version}-library-${steps}`,
    embeddingNormalization: embeddingStatistics(
      model,
      cached.tracks,
      files.architecture.embeddingSize,
    ),
  };
  await saveModel(outDir, files.architecture, result.weights, metadata);
}

await main();
