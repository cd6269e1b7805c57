/**
 * The gate step of the training pipeline: embeds music windows of the training tracks and
 * generated non-music clips, fits the window classifier, and picks the clip threshold on the
 * validation soundtracks against fresh non-music clips.
 */
import { loudnessDbfs } from '../core/features/descriptors.js';
import { computeLogMel } from '../core/features/log-mel.js';
import type { EmbeddingModel } from '../core/model/embedder.js';
import type { MusicGateParams } from '../core/model/music-gate.js';
import { cutWindows, type SpectrogramLike } from '../core/model/windows.js';
import { createRng, type Rng, randomInt } from '../core/random.js';
import type { CachedTrack } from './cache.js';
import {
  chooseThreshold,
  fitWindowClassifier,
  type GateClip,
  type GateExamples,
  gateParams,
} from './music-gate.js';
import { nonMusicClips } from './non-music.js';

/** Options of {@link fitMusicGate}. */
export interface FitGateOptions {
  readonly ffmpeg: string;
  readonly seed: number;
  /** Non-music clips generated for fitting (default 300) and for the threshold (default 60). */
  readonly fitClips?: number;
  readonly validationClips?: number;
  readonly log: (line: string) => void;
}

const CLIP_SECONDS = 10;

function embed(model: EmbeddingModel, spectrograms: SpectrogramLike[], max: number): GateExamples {
  const windows = cutWindows(spectrograms, model.metadata.window, max);
  return { rows: model.embedWindows(windows), count: windows.count };
}

function concat(parts: readonly GateExamples[], dim: number): GateExamples {
  const count = parts.reduce((s, p) => s + p.count, 0);
  const rows = new Float32Array(count * dim);
  let at = 0;
  for (const p of parts) {
    rows.set(p.rows, at);
    at += p.rows.length;
  }
  return { rows, count };
}

/** A 10 s excerpt of a cached view, from a random position. */
function excerpt(
  data: Float32Array,
  frames: number,
  nMels: number,
  excerptFrames: number,
  rng: Rng,
): SpectrogramLike {
  const length = Math.min(frames, excerptFrames);
  const start = randomInt(rng, 0, Math.max(0, frames - length));
  return { data: data.subarray(start * nMels, (start + length) * nMels), frames: length, nMels };
}

/**
 * Fits the gate.
 *
 * @param model - the trained embedding model
 * @param trainTracks - music the classifier is fitted on (clean and voice-note views)
 * @param validationTracks - music the threshold is chosen on (10 s excerpts)
 * @returns the gate parameters for metadata.json and the validation rates
 * @throws Error when espeak-ng, sox or ffmpeg are missing
 */
export async function fitMusicGate(
  model: EmbeddingModel,
  trainTracks: readonly CachedTrack[],
  validationTracks: readonly CachedTrack[],
  options: FitGateOptions,
): Promise<{ gate: MusicGateParams; musicAccepted: number; otherRejected: number }> {
  const { features } = model.metadata;
  const dim = model.architecture.embeddingSize;
  const excerptFrames = Math.round((CLIP_SECONDS * features.sampleRate) / features.hopLength);
  const rng = createRng(options.seed);

  const music = concat(
    trainTracks.flatMap((t) => [
      embed(model, [{ data: t.clean, frames: t.frames, nMels: t.nMels }], 8),
      ...t.degraded.map((v) =>
        embed(model, [{ data: v.data, frames: v.frames, nMels: t.nMels }], 8),
      ),
    ]),
    dim,
  );
  options.log('music gate: generating non-music clips (espeak-ng speech, chatter, sox noise)');
  const fitClips = await nonMusicClips(
    'fit',
    options.fitClips ?? 300,
    CLIP_SECONDS,
    features.sampleRate,
    options.ffmpeg,
    options.seed,
  );
  const other = concat(
    fitClips.map((c) => embed(model, [computeLogMel(c.pcm, features)], 16)),
    dim,
  );
  const classifier = fitWindowClassifier(music, other, dim);

  const validation: GateClip[] = [];
  for (const t of validationTracks) {
    for (const view of [{ data: t.clean, frames: t.frames }, ...t.degraded]) {
      const e = embed(model, [excerpt(view.data, view.frames, t.nMels, excerptFrames, rng)], 16);
      validation.push({ ...e, loudnessDb: 0, music: true });
    }
  }
  const validationOther = await nonMusicClips(
    'fit',
    options.validationClips ?? 60,
    CLIP_SECONDS,
    features.sampleRate,
    options.ffmpeg,
    options.seed + 1,
  );
  for (const c of validationOther) {
    const e = embed(model, [computeLogMel(c.pcm, features)], 16);
    validation.push({ ...e, loudnessDb: loudnessDbfs(c.pcm), music: false });
  }
  const choice = chooseThreshold(validation, classifier);
  options.log(
    `music gate: ${music.count} music and ${other.count} non-music windows; threshold ${choice.threshold} accepts ${(100 * choice.musicAccepted).toFixed(1)} % of validation music, rejects ${(100 * choice.otherRejected).toFixed(1)} % of validation non-music`,
  );
  return {
    gate: gateParams(
      classifier,
      choice.threshold,
      `logistic regression on L2-normalised window embeddings (class-balanced, L2 1e-3), fitted on ${music.count} windows of the training soundtracks (clean and voice-note views) against ${other.count} windows of ${fitClips.length} generated non-music clips (espeak-ng speech and chatter, sox noise, a quiet room; half through a voice-note chain); clip = mean window probability; threshold: best balanced accuracy accepting ≥ 99 % of 10 s validation-soundtrack excerpts`,
    ),
    musicAccepted: choice.musicAccepted,
    otherRejected: choice.otherRejected,
  };
}
