/**
 * The gate step of the training pipeline: embeds 10 s music excerpts of the training tracks,
 * generated non-music clips and, when given, clips of real non-music recordings
 * (training/real-sounds.ts) the way the engine embeds a query, fits the clip-level classifier
 * (mean window embedding + speech/music descriptors), and picks the threshold on validation
 * excerpts against fresh generated clips and real recordings of other packages.
 */
import { writeFile } from 'node:fs/promises';
import { QUERY_MAX_WINDOWS } from '../core/analysis/analyze.js';
import { loudnessDbfs } from '../core/features/descriptors.js';
import { computeLogMel, type LogMelSpectrogram } from '../core/features/log-mel.js';
import { SPEECH_MUSIC_DESCRIPTORS, speechMusicDescriptors } from '../core/features/speech-music.js';
import { styleStatistics } from '../core/features/style.js';
import type { EmbeddingModel } from '../core/model/embedder.js';
import { GATE_STYLE_FEATURES, judgeMusic, type MusicGateParams } from '../core/model/music-gate.js';
import type { SpectrogramLike } from '../core/model/windows.js';
import { createRng, type Rng, randomInt } from '../core/util/random.js';
import type { CachedTrack } from './cache.js';
import type { CachedClip } from './clip-cache.js';
import {
  CLIP_L2,
  type ClipClassifierOptions,
  type ClipFeatures,
  chooseThreshold,
  fitClipClassifier,
  type GateClip,
  gateParams,
  MIN_MUSIC_ACCEPTED,
} from './music-gate.js';
import { nonMusicFiles } from './non-music.js';

/** Options of {@link fitMusicGate} and {@link fitGateOnClips}. */
export interface FitGateOptions {
  readonly ffmpeg: string;
  readonly seed: number;
  /** Non-music clips generated for fitting (default 300) and for the threshold (default 60). */
  readonly fitClips?: number;
  readonly validationClips?: number;
  readonly log: (line: string) => void;
  /**
   * When set, every clip's gate inputs (set, class, kind, mean window embedding, speech/music
   * descriptors, style statistics) are written to this file as JSON lines, for comparing gate
   * models outside the pipeline.
   */
  readonly featuresOut?: string;
  /** The gate's form (default {@link GATE_MODEL}). */
  readonly model?: GateForm;
}

/** The gate's form: the classifier's options, which descriptors it takes and how kinds weigh. */
export interface GateForm extends ClipClassifierOptions {
  /**
   * Names of the speech/music descriptors the gate takes (core/features/speech-music.ts), in
   * that order; default all of them.
   */
  readonly descriptors?: readonly string[];
  /**
   * Balance the kinds of non-music clips (generated and real) in the fit: every kind's clips are
   * repeated so that each kind counts about as much as the most numerous one (default false:
   * every clip counts once).
   */
  readonly balanceKinds?: boolean;
  /**
   * Share of validation music the threshold must keep (default training/music-gate.ts
   * MIN_MUSIC_ACCEPTED, 0.97): the validation excerpts are a third clean, so a gate that keeps 97 %
   * of them may keep fewer voice notes sent through a harsher chain.
   */
  readonly minMusicAccepted?: number;
}

/**
 * Each clip's descriptors reduced to `names` (in that order), for fitting a gate that takes only
 * those; the clips are otherwise unchanged.
 *
 * @throws Error when a name is not one of SPEECH_MUSIC_DESCRIPTORS
 */
export function withDescriptors<T extends ClipFeatures>(
  clips: readonly T[],
  names: readonly string[],
): T[] {
  const all = SPEECH_MUSIC_DESCRIPTORS as readonly string[];
  const at = names.map((n) => {
    const i = all.indexOf(n);
    if (i < 0) throw new Error(`no speech/music descriptor "${n}"`);
    return i;
  });
  return clips.map((c) => ({
    ...c,
    descriptors: Float64Array.from(at, (i) => c.descriptors[i] ?? 0),
  }));
}

/**
 * The clips repeated so that every kind counts about as much as the most numerous kind (each
 * clip of a kind of n clips appears round(max / n) times).
 */
export function balancedByKind<T extends { readonly kind: string }>(clips: readonly T[]): T[] {
  const counts = new Map<string, number>();
  for (const c of clips) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  return clips.flatMap((c) =>
    Array.from({ length: Math.max(1, Math.round(most / (counts.get(c.kind) ?? most))) }, () => c),
  );
}

/**
 * The default form of the gate: its inputs, hidden units and L2 penalty (the form of the shipped
 * gate; `npm run refit-gate -- --style --hidden N` fits the others).
 */
export const GATE_MODEL: GateForm = { style: false, hidden: 0, l2: CLIP_L2 };

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
  const style = styleStatistics([spectrogram as LogMelSpectrogram]);
  return {
    rows: e.windowEmbeddings,
    count: e.windowCount,
    loudnessDb,
    music,
    meanEmbedding,
    descriptors,
    style,
  };
}

/** The music and non-music spectrograms a gate is fitted and thresholded on. */
export interface GateSpectrograms {
  /** 10 s music excerpts to fit on (clean and voice-note views). */
  readonly fitMusic: readonly SpectrogramLike[];
  /** 10 s music excerpts of other tracks to choose the threshold on. */
  readonly validationMusic: readonly SpectrogramLike[];
}

/** Non-music clips made beforehand (generated and real; e.g. read from training/clip-cache.ts). */
export interface GateNonMusic {
  /** Clips the classifier is fitted on. */
  readonly fit: readonly CachedClip[];
  /** Clips the threshold is chosen on (other voices, sentences, seeds and packages). */
  readonly validation: readonly CachedClip[];
  /** What each set is, for the method string of metadata.json. */
  readonly fitDescription: string;
  readonly validationDescription: string;
}

/** What the generated clips of {@link generatedNonMusic} are, for method strings. */
export const GENERATED_DESCRIPTION =
  "generated (espeak-ng speech and chatter, sox noise, speech over noise, a quiet room; made at 48 kHz, half through a voice-note chain, then all encoded as Ogg Opus files at 16–64 kbit/s and decoded by the engine's decoder)";

/**
 * Generated non-music clips (training/non-music.ts) as gate clips, kinds with "_" for spaces
 * and "+" (speech_noise, quiet_room).
 *
 * @throws Error when espeak-ng, sox or ffmpeg fails
 */
export async function generatedNonMusic(
  features: EmbeddingModel['metadata']['features'],
  count: number,
  ffmpeg: string,
  seed: number,
): Promise<CachedClip[]> {
  const clips = await nonMusicFiles(
    'fit',
    count,
    GATE_CLIP_SECONDS,
    features.sampleRate,
    ffmpeg,
    seed,
  );
  return clips.map((c) => ({
    kind: c.kind.replace(/[^a-z]+/g, '_'),
    loudnessDb: loudnessDbfs(c.pcm),
    spectrogram: computeLogMel(c.pcm, features),
  }));
}

/** What {@link fitGateOnClips} returns. */
export interface FittedGate {
  readonly gate: MusicGateParams;
  /** Validation music accepted and validation non-music rejected at the chosen threshold. */
  readonly musicAccepted: number;
  readonly otherRejected: number;
  /** Validation non-music rejected per kind (generated kinds and real kinds), with counts. */
  readonly rejectedByKind: Record<string, { n: number; rate: number }>;
}

/**
 * Fits the gate on given music excerpts and freshly generated non-music clips.
 *
 * @param model - the trained embedding model
 * @param music - fit and validation music excerpts (log-mel with the model's parameters)
 * @param nonMusic - non-music clips to fit on and to choose the threshold on (default: generated
 *   ones, `options.fitClips` and `options.validationClips` of them)
 * @returns the gate parameters for metadata.json and the validation rates
 * @throws Error when espeak-ng, sox or ffmpeg are missing, or a class is empty
 */
export async function fitGateOnClips(
  model: EmbeddingModel,
  music: GateSpectrograms,
  options: FitGateOptions,
  nonMusic?: GateNonMusic,
): Promise<FittedGate> {
  const { features } = model.metadata;
  const dim = model.architecture.embeddingSize;
  const asGateClip = (c: CachedClip) => ({
    ...gateClip(model, c.spectrogram, c.loudnessDb, false),
    kind: c.kind,
  });
  let sets = nonMusic;
  if (!sets) {
    options.log('music gate: generating non-music clips (espeak-ng speech, chatter, sox noise)');
    const fitCount = options.fitClips ?? 300;
    const validationCount = options.validationClips ?? 60;
    sets = {
      fit: await generatedNonMusic(features, fitCount, options.ffmpeg, options.seed),
      validation: await generatedNonMusic(
        features,
        validationCount,
        options.ffmpeg,
        options.seed + 1,
      ),
      fitDescription: `${fitCount} ${GENERATED_DESCRIPTION}`,
      validationDescription: `${validationCount} fresh generated clips of the same kinds`,
    };
  }
  const fitOther = sets.fit.map(asGateClip);
  const fitMusic = music.fitMusic.map((s) => gateClip(model, s, 0, true));
  const form = options.model ?? GATE_MODEL;
  const names = form.descriptors ?? SPEECH_MUSIC_DESCRIPTORS;
  const classifier = fitClipClassifier(
    withDescriptors(fitMusic, names),
    withDescriptors(form.balanceKinds ? balancedByKind(fitOther) : fitOther, names),
    dim,
    names,
    form,
  );

  const validationOther = sets.validation.map(asGateClip);
  const validationMusic = music.validationMusic.map((s) => ({
    ...gateClip(model, s, 0, true),
    kind: 'music',
  }));
  const validation: GateClip[] = [...validationMusic, ...validationOther];
  if (options.featuresOut) {
    const line = (
      set: string,
      kind: string,
      c: ClipFeatures & { music: boolean; loudnessDb: number },
    ) =>
      JSON.stringify({
        set,
        music: c.music,
        kind,
        loudnessDb: Number(c.loudnessDb.toFixed(2)),
        meanEmbedding: Array.from(c.meanEmbedding),
        descriptors: Array.from(c.descriptors),
        style: Array.from(c.style ?? []),
      });
    await writeFile(
      options.featuresOut,
      `${[
        ...fitMusic.map((c) => line('fit', 'music', c)),
        ...fitOther.map((c) => line('fit', c.kind, c)),
        ...[...validationMusic, ...validationOther].map((c) => line('validation', c.kind, c)),
      ].join('\n')}\n`,
    );
  }
  const minMusicAccepted = form.minMusicAccepted ?? MIN_MUSIC_ACCEPTED;
  const choice = chooseThreshold(validation, classifier, minMusicAccepted);
  const gate = gateParams(
    classifier,
    choice.threshold,
    `${form.hidden ? `logistic regression plus one hidden layer of ${form.hidden} rectified units` : 'logistic regression'} on a clip's mean window embedding, its speech/music descriptors (${names.join(', ')}; core/features/speech-music.ts, after Scheirer & Slaney 1997)${form.style ? ` and ${GATE_STYLE_FEATURES.length} style features (MFCC means 1–19 and standard deviations, the modulation spectrum averaged over registers; core/features/style.ts)` : ''}, class-balanced${form.balanceKinds ? ' (non-music kinds balanced too)' : ''}, every column standardised, L2 ${form.l2 ?? CLIP_L2}; fitted on ${fitMusic.length} 10 s excerpts of the training soundtracks (clean and voice-note views) against ${fitOther.length} non-music clips: ${sets.fitDescription}; threshold: best balanced accuracy accepting ≥ ${100 * minMusicAccepted} % of 10 s validation-soundtrack excerpts against ${sets.validationDescription}`,
  );
  const verdicts = validationOther.map((c) => ({
    kind: c.kind,
    rejected: !judgeMusic(c.rows, c.count, c.loudnessDb, gate, c.descriptors, c.style).isMusic,
  }));
  const rejectedByKind: Record<string, { n: number; rate: number }> = {};
  for (const kind of new Set(verdicts.map((v) => v.kind))) {
    const of = verdicts.filter((v) => v.kind === kind);
    rejectedByKind[kind] = {
      n: of.length,
      rate: Number((of.filter((v) => v.rejected).length / of.length).toFixed(3)),
    };
  }
  options.log(
    `music gate: ${fitMusic.length} music and ${fitOther.length} non-music clips; threshold ${choice.threshold} accepts ${(100 * choice.musicAccepted).toFixed(1)} % of validation music, rejects ${(100 * choice.otherRejected).toFixed(1)} % of validation non-music (${Object.entries(
      rejectedByKind,
    )
      .map(([k, v]) => `${k} ${(100 * v.rate).toFixed(1)} % of ${v.n}`)
      .join(', ')})`,
  );
  return {
    gate,
    musicAccepted: choice.musicAccepted,
    otherRejected: choice.otherRejected,
    rejectedByKind,
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
): Promise<FittedGate> {
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
