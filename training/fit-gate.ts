/**
 * The gate step of the training pipeline: embeds 10 s music excerpts of the training tracks and
 * generated non-music clips the way the engine embeds a query, fits the clip-level classifier
 * (mean window embedding + speech/music descriptors), and picks the threshold on validation
 * excerpts against fresh non-music clips.
 */
import { QUERY_MAX_WINDOWS } from '../core/analyze.js';
import { loudnessDbfs } from '../core/features/descriptors.js';
import { computeLogMel, type LogMelSpectrogram } from '../core/features/log-mel.js';
import { SPEECH_MUSIC_DESCRIPTORS, speechMusicDescriptors } from '../core/features/speech-music.js';
import type { EmbeddingModel } from '../core/model/embedder.js';
import type { MusicGateParams } from '../core/model/music-gate.js';
import type { SpectrogramLike } from '../core/model/windows.js';
import { createRng, type Rng, randomInt } from '../core/random.js';
import type { CachedTrack } from './cache.js';
import {
  CLIP_L2,
  type ClipFeatures,
  chooseThreshold,
  fitClipClassifier,
  type GateClip,
  gateParams,
  MIN_MUSIC_ACCEPTED,
} from './music-gate.js';
import { type NonMusicClip, nonMusicFiles } from './non-music.js';

/** Options of {@link fitMusicGate} and {@link fitGateOnClips}. */
export interface FitGateOptions {
  readonly ffmpeg: string;
  readonly seed: number;
  /** Non-music clips generated for fitting (default 300) and for the threshold (default 60). */
  readonly fitClips?: number;
  readonly validationClips?: number;
  readonly log: (line: string) => void;
}

/** Seconds of each gate clip (the length the evaluation's clips have). */
export const GATE_CLIP_SECONDS = 10;

/** A clip's windows embedded as a query, its descriptors and its loudness. */
function gateClip(
  model: EmbeddingModel,
  spectrogram: SpectrogramLike,
  loudnessDb: number,
  music: boolean,
): GateClip & ClipFeatures {
  const { features, window } = model.metadata;
  const e = model.embedSpectrograms([spectrogram], QUERY_MAX_WINDOWS, window.queryHopFrames);
  const dim = model.architecture.embeddingSize;
  const meanEmbedding = new Float32Array(dim);
  for (let w = 0; w < e.windowCount; w++) {
    for (let d = 0; d < dim; d++) {
      meanEmbedding[d]! += e.windowEmbeddings[w * dim + d]! / e.windowCount;
    }
  }
  const descriptors = speechMusicDescriptors(
    spectrogram as LogMelSpectrogram,
    features.sampleRate / features.hopLength,
  );
  return {
    rows: e.windowEmbeddings,
    count: e.windowCount,
    loudnessDb,
    music,
    meanEmbedding,
    descriptors,
  };
}

/** The music and non-music spectrograms a gate is fitted and thresholded on. */
export interface GateSpectrograms {
  /** 10 s music excerpts to fit on (clean and voice-note views). */
  readonly fitMusic: readonly SpectrogramLike[];
  /** 10 s music excerpts of other tracks to choose the threshold on. */
  readonly validationMusic: readonly SpectrogramLike[];
}

/**
 * Fits the gate on given music excerpts and freshly generated non-music clips.
 *
 * @param model - the trained embedding model
 * @param music - fit and validation music excerpts (log-mel with the model's parameters)
 * @returns the gate parameters for metadata.json and the validation rates
 * @throws Error when espeak-ng, sox or ffmpeg are missing, or a class is empty
 */
export async function fitGateOnClips(
  model: EmbeddingModel,
  music: GateSpectrograms,
  options: FitGateOptions,
): Promise<{ gate: MusicGateParams; musicAccepted: number; otherRejected: number }> {
  const { features } = model.metadata;
  const dim = model.architecture.embeddingSize;
  const nonMusic = (clips: readonly NonMusicClip[]) =>
    clips.map((c) => gateClip(model, computeLogMel(c.pcm, features), loudnessDbfs(c.pcm), false));

  options.log('music gate: generating non-music clips (espeak-ng speech, chatter, sox noise)');
  const fitOther = nonMusic(
    await nonMusicFiles(
      'fit',
      options.fitClips ?? 300,
      GATE_CLIP_SECONDS,
      features.sampleRate,
      options.ffmpeg,
      options.seed,
    ),
  );
  const fitMusic = music.fitMusic.map((s) => gateClip(model, s, 0, true));
  const classifier = fitClipClassifier(fitMusic, fitOther, dim, SPEECH_MUSIC_DESCRIPTORS);

  const validation: GateClip[] = [
    ...music.validationMusic.map((s) => gateClip(model, s, 0, true)),
    ...nonMusic(
      await nonMusicFiles(
        'fit',
        options.validationClips ?? 60,
        GATE_CLIP_SECONDS,
        features.sampleRate,
        options.ffmpeg,
        options.seed + 1,
      ),
    ),
  ];
  const choice = chooseThreshold(validation, classifier);
  options.log(
    `music gate: ${fitMusic.length} music and ${fitOther.length} non-music clips; threshold ${choice.threshold} accepts ${(100 * choice.musicAccepted).toFixed(1)} % of validation music, rejects ${(100 * choice.otherRejected).toFixed(1)} % of validation non-music`,
  );
  return {
    gate: gateParams(
      classifier,
      choice.threshold,
      `logistic regression on a clip's mean window embedding and its speech/music descriptors (${SPEECH_MUSIC_DESCRIPTORS.join(', ')}; after Scheirer & Slaney 1997), class-balanced, every column standardised, L2 ${CLIP_L2}; fitted on ${fitMusic.length} 10 s excerpts of the training soundtracks (clean and voice-note views) against ${fitOther.length} generated non-music clips (espeak-ng speech and chatter, sox noise, speech over noise, a quiet room; made at 48 kHz, half through a voice-note chain, then all encoded as Ogg Opus files at 16–64 kbit/s and decoded by the engine's decoder); threshold: best balanced accuracy accepting ≥ ${100 * MIN_MUSIC_ACCEPTED} % of 10 s validation-soundtrack excerpts against ${options.validationClips ?? 60} fresh non-music clips of the same kinds`,
    ),
    musicAccepted: choice.musicAccepted,
    otherRejected: choice.otherRejected,
  };
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

/** Excerpts of every view (clean and voice-note) of cached tracks, `perView` each. */
function cachedExcerpts(
  tracks: readonly CachedTrack[],
  excerptFrames: number,
  perView: number,
  rng: Rng,
): SpectrogramLike[] {
  return tracks.flatMap((t) =>
    [{ data: t.clean, frames: t.frames }, ...t.degraded].flatMap((view) =>
      Array.from({ length: perView }, () =>
        excerpt(view.data, view.frames, t.nMels, excerptFrames, rng),
      ),
    ),
  );
}

/**
 * Fits the gate from the training pipeline's spectrogram cache.
 *
 * @param model - the trained embedding model
 * @param trainTracks - music the classifier is fitted on (clean and voice-note views, 2 excerpts
 *   of each)
 * @param validationTracks - music the threshold is chosen on (1 excerpt of each view)
 * @returns the gate parameters for metadata.json and the validation rates
 * @throws Error when espeak-ng, sox or ffmpeg are missing
 */
export function fitMusicGate(
  model: EmbeddingModel,
  trainTracks: readonly CachedTrack[],
  validationTracks: readonly CachedTrack[],
  options: FitGateOptions,
): Promise<{ gate: MusicGateParams; musicAccepted: number; otherRejected: number }> {
  const { features } = model.metadata;
  const excerptFrames = Math.round((GATE_CLIP_SECONDS * features.sampleRate) / features.hopLength);
  const rng = createRng(options.seed);
  return fitGateOnClips(
    model,
    {
      fitMusic: cachedExcerpts(trainTracks, excerptFrames, 2, rng),
      validationMusic: cachedExcerpts(validationTracks, excerptFrames, 1, rng),
    },
    options,
  );
}
