/**
 * The shipped embedding model (default model directory): well-formed metadata, unit-length
 * window and track embeddings, deterministic output, batching, and no tfjs tensor leak per call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../core/analysis/analyze.js';
import { tf } from '../../core/model/backend.js';
import { embedBatch, embedBatchInference } from '../../core/model/cnn.js';
import { type EmbeddingModel, loadEmbeddingModel } from '../../core/model/embedder.js';
import { loadModelFiles } from '../../core/model/weights-io.js';
import { cutWindows, normalizeWindows, type SpectrogramLike } from '../../core/model/windows.js';
import { demoTrack } from '../helpers/paths.js';

/** Deterministic pseudo-random log-mel-like spectrogram (values around -6 ± 3). */
function spectrogram(frames: number, nMels: number, seed: number): SpectrogramLike {
  let state = seed >>> 0;
  const data = new Float32Array(frames * nMels);
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const band = i % nMels;
    data[i] = -6 + 3 * (state / 2 ** 32) - band / nMels;
  }
  return { data, frames, nMels };
}

/** L2 norm of each row of a rows × dim matrix. */
function rowNorms(rows: Float32Array, dim: number): number[] {
  const norms: number[] = [];
  for (let r = 0; r < rows.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += rows[r * dim + d]! ** 2;
    norms.push(Math.sqrt(s));
  }
  return norms;
}

describe('embedding model', () => {
  let model: EmbeddingModel;
  let dim: number;
  let nMels: number;

  beforeAll(async () => {
    model = await loadEmbeddingModel();
    dim = model.architecture.embeddingSize;
    nMels = model.metadata.features.nMels;
  });

  afterAll(() => model?.dispose());

  it('embeds through fused convolutions as the training graph does (real music, within 1e-5)', async () => {
    const analysis = await analyzeAudio(demoTrack('metal_rock__chaos_god.ogg'), model, {
      maxAnalysedS: 20,
      segments: 1,
    });
    const windows = cutWindows([analysis.spectrogram], model.metadata.window, 6);
    normalizeWindows(windows, model.metadata.inputNormalization.std);
    const { architecture, weights } = await loadModelFiles(model.dir);
    try {
      const x = tf.tensor3d(windows.data, [windows.count, windows.frames, windows.nMels]);
      const trained = tf.tidy(() => embedBatch(weights, architecture, x)).dataSync();
      const fused = tf.tidy(() => embedBatchInference(weights, architecture, x)).dataSync();
      x.dispose();
      expect(windows.count).toBe(6);
      expect(fused.length).toBe(6 * dim);
      let largest = 0;
      for (let i = 0; i < fused.length; i++) {
        expect(Math.abs(fused[i]! - trained[i]!), `value ${i}`).toBeLessThan(1e-5);
        largest = Math.max(largest, Math.abs(trained[i]!));
      }
      expect(largest).toBeGreaterThan(0.1); // real, non-trivial embeddings
    } finally {
      for (const w of Object.values(weights)) w.dispose();
    }
  });

  it('loads a model whose metadata is usable', () => {
    const m = model.metadata;
    expect(m.version).toMatch(/\S/);
    expect(m.embeddingSize).toBe(dim);
    expect(m.window.frames).toBe(model.architecture.inputFrames);
    expect(m.inputNormalization.std).toBeGreaterThan(0);
    expect(m.matching.minScore).toBeGreaterThan(0);
    expect(m.matching.minScore).toBeLessThanOrEqual(1);
    expect(m.matching.minMargin).toBeGreaterThanOrEqual(0);
    // Confidence must grow with similarity.
    expect(m.calibration.a).toBeGreaterThan(0);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(model.backend);
  });

  it('returns unit-length window rows and a unit-length pooled embedding', () => {
    const spec = spectrogram(600, nMels, 1);
    const out = model.embedSpectrograms([spec], 32);
    expect(out.windowCount).toBe(cutWindows([spec], model.metadata.window, 32).count);
    expect(out.windowEmbeddings).toHaveLength(out.windowCount * dim);
    expect(out.embedding).toHaveLength(dim);
    for (const n of rowNorms(out.windowEmbeddings, dim)) expect(n).toBeCloseTo(1, 4);
    expect(rowNorms(out.embedding, dim)[0]).toBeCloseTo(1, 4);
    expect(out.embedding.every(Number.isFinite)).toBe(true);
  });

  it('caps the windows of a long recording at maxWindows', () => {
    const out = model.embedSpectrograms([spectrogram(5000, nMels, 2)], 5);
    expect(out.windowCount).toBe(5);
  });

  it('gives the same embedding for the same input', () => {
    const a = model.embedSpectrograms([spectrogram(400, nMels, 3)]);
    const b = model.embedSpectrograms([spectrogram(400, nMels, 3)]);
    expect(Array.from(b.embedding)).toEqual(Array.from(a.embedding));
    expect(Array.from(b.windowEmbeddings)).toEqual(Array.from(a.windowEmbeddings));
    const c = model.embedSpectrograms([spectrogram(400, nMels, 4)]);
    expect(Array.from(c.embedding)).not.toEqual(Array.from(a.embedding));
  });

  it('embeds a window the same alone as inside a batch of more than 32', () => {
    const windows = cutWindows([spectrogram(64 * 40 + 64, nMels, 5)], model.metadata.window, 40);
    expect(windows.count).toBe(40);
    const size = windows.frames * windows.nMels;
    const copy = (from: number, count: number) => ({
      ...windows,
      data: windows.data.slice(from * size, (from + count) * size),
      count,
    });
    const single = model.embedWindows(copy(37, 1));
    const batched = model.embedWindows(copy(0, 40));
    const row = batched.subarray(37 * dim, 38 * dim);
    for (let d = 0; d < dim; d++) expect(row[d]).toBeCloseTo(single[d]!, 4);
  });

  it('does not leak tensors across repeated calls', () => {
    const spec = spectrogram(800, nMels, 6);
    model.embedSpectrograms([spec]); // warm-up: backend kernels and caches
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) model.embedSpectrograms([spec], 40);
    expect(tf.memory().numTensors).toBe(before);
  });
});
