/**
 * Honest evaluation of a trained model on held-out groups (soundtracks the model never saw):
 * precision@5 of same-group neighbours, the MFCC-statistics baseline on the same tracks,
 * identification of 10 s voice-note excerpts, and the calibration and match thresholds that the
 * shipped model's metadata.json carries.
 */

import { CATALOG_ANALYSIS } from '../core/analysis/analyze.js';
import { fitCalibration, reliability } from '../core/evaluation/calibration.js';
import { mfccBaselineVectors } from '../core/evaluation/mfcc-baseline.js';
import { dot, leaveOneOutPrecision, neighbourPairs } from '../core/evaluation/precision.js';
import type { EmbeddingModel } from '../core/model/embedder.js';
import { cutWindows } from '../core/model/windows.js';
import { type Calibration, calibratedConfidence } from '../core/recommend/calibration.js';
import {
  type MatchThresholds,
  rankByAlignedWindows,
  type WindowHit,
} from '../core/recommend/identify.js';
import { createRng, randomInt } from '../core/util/random.js';
import type { CachedTrack } from './cache.js';

/** Figures written to metadata.json. */
export interface HeldOutReport {
  readonly tracks: number;
  readonly groups: string[];
  readonly precisionAt5: number;
  readonly mfccBaselinePrecisionAt5: number;
  readonly chance: number;
  readonly identificationTop1: number;
  readonly identificationMatched: number;
  readonly falseMatchRate: number;
  readonly matching: MatchThresholds;
  readonly calibration: Calibration;
  readonly reliability: ReturnType<typeof reliability>;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? 0;
}

/**
 * @param model - the model to evaluate
 * @param tracks - cached held-out tracks (clean and voice-note spectrograms)
 * @param seed - for the excerpt positions
 * @param excerptSeconds - length of identification queries (10 s)
 * @param trackVectors - the vectors similarity compares (e.g. fused with timbre), one per track;
 *   default: the pooled CNN embeddings
 */
export function evaluateHeldOut(
  model: EmbeddingModel,
  tracks: readonly CachedTrack[],
  seed: number,
  excerptSeconds = 10,
  trackVectors?: readonly Float32Array[],
): HeldOutReport {
  const { features, window } = model.metadata;
  const dim = model.architecture.embeddingSize;
  const embedded = tracks.map((t) =>
    model.embedSpectrograms(
      [{ data: t.clean, frames: t.frames, nMels: t.nMels }],
      CATALOG_ANALYSIS.maxWindows,
    ),
  );
  const labels = tracks.map((t) => t.group);
  const vectors = trackVectors ?? embedded.map((e) => e.embedding);
  const report = leaveOneOutPrecision(vectors, labels, [5]);
  const baseline = leaveOneOutPrecision(
    mfccBaselineVectors(tracks.map((t) => ({ data: t.clean, frames: t.frames, nMels: t.nMels }))),
    labels,
    [5],
  );

  // Identification: 10 s of the voice-note version against every track's clean windows.
  const allWindows: Array<{ trackIndex: number; windowIndex: number; vector: Float32Array }> = [];
  embedded.forEach((e, trackIndex) => {
    for (let w = 0; w < e.windowCount; w++) {
      allWindows.push({
        trackIndex,
        windowIndex: w,
        vector: e.windowEmbeddings.subarray(w * dim, (w + 1) * dim),
      });
    }
  });
  const searchAmong =
    (allowed: (trackIndex: number) => boolean) =>
    (vector: Float32Array, k: number): WindowHit[] =>
      allWindows
        .filter((w) => allowed(w.trackIndex))
        .map((w) => ({
          trackId: w.trackIndex,
          windowIndex: w.windowIndex,
          similarity: dot(vector, w.vector),
        }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, k);
  const search = (skip: number) => searchAmong((t) => t !== skip);
  const rng = createRng(seed);
  const excerptFrames = Math.round((excerptSeconds * features.sampleRate) / features.hopLength);
  const genuine: Array<{ score: number; margin: number; correct: boolean }> = [];
  const impostor: number[] = [];
  const smallImpostor: number[] = [];
  tracks.forEach((t, i) => {
    const start = randomInt(rng, 0, Math.max(0, t.frames - excerptFrames));
    const frames = Math.min(excerptFrames, t.frames);
    const excerpt = {
      data: t.degraded[0]!.data.subarray(start * t.nMels, (start + frames) * t.nMels),
      frames,
      nMels: t.nMels,
    };
    const windows = cutWindows(
      [excerpt],
      { ...window, hopFrames: window.queryHopFrames ?? window.hopFrames },
      64,
    );
    const query = model.embedWindows(windows);
    const starts = windows.starts ?? [];
    const rank = (skip: number) =>
      rankByAlignedWindows(query, starts, dim, window.hopFrames, search(skip));
    const ranked = rank(-1);
    const [best, second] = ranked;
    genuine.push({
      score: best?.score ?? 0,
      margin: (best?.score ?? 0) - (second?.score ?? 0),
      correct: best?.trackId === i,
    });
    impostor.push(rank(i)[0]?.score ?? 0);
    // The same clip against a small catalogue of 4 other tracks: there every clip window finds
    // its 10 neighbours among a few tracks, so impostor scores run higher than in a large one.
    const few = new Set<number>();
    while (few.size < Math.min(4, tracks.length - 1)) {
      const j = randomInt(rng, 0, tracks.length - 1);
      if (j !== i) few.add(j);
    }
    smallImpostor.push(
      rankByAlignedWindows(
        query,
        starts,
        dim,
        window.hopFrames,
        searchAmong((t) => few.has(t)),
      )[0]?.score ?? 0,
    );
  });
  const correctScores = genuine.filter((g) => g.correct).map((g) => g.score);
  // Threshold between the 2nd percentile of true matches and the 95th of impostors: clips whose
  // own track is not in the catalogue but whose soundtrack is, the hardest case (soundtracks reuse
  // their themes), in the whole validation catalogue and in catalogues of 4 tracks. When the two
  // overlap, a false "this is X" is held to at most 5 % of impostors in either.
  const lowGenuine = quantile(correctScores, 0.02);
  const highImpostor = Math.max(quantile(impostor, 0.95), quantile(smallImpostor, 0.95));
  const minScore = lowGenuine > highImpostor ? (lowGenuine + highImpostor) / 2 : highImpostor;
  const matching: MatchThresholds = { minScore, minMargin: 0.01 };
  const matched = genuine.filter(
    (g) => g.correct && g.score >= minScore && g.margin >= matching.minMargin,
  ).length;

  // Calibration on all held-out (query, candidate) pairs among each query's 10 nearest.
  const { similarities: sims, positives } = neighbourPairs(vectors, labels, 10);
  const calibration = fitCalibration(
    sims,
    positives,
    'Platt scaling of cosine similarity on held-out soundtracks: P(same soundtrack) among each track’s 10 nearest',
  );
  return {
    tracks: tracks.length,
    groups: [...new Set(labels)],
    precisionAt5: report.precisionAtK['5'] ?? 0,
    mfccBaselinePrecisionAt5: baseline.precisionAtK['5'] ?? 0,
    chance: report.chance,
    identificationTop1: genuine.filter((g) => g.correct).length / Math.max(1, genuine.length),
    identificationMatched: matched / Math.max(1, genuine.length),
    falseMatchRate: impostor.filter((s) => s >= minScore).length / Math.max(1, impostor.length),
    matching,
    calibration,
    reliability: reliability(
      sims.map((s) => calibratedConfidence(s, calibration)),
      positives,
    ),
  };
}
