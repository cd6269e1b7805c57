/**
 * The music/non-music gate: before recommending, decide whether a clip holds music at all, so that
 * talking, silence or noise is answered with "I couldn't hear music in that" instead of five
 * random tracks.
 *
 * Two stages: a clip quieter than `silenceDbfs` is silence; otherwise a logistic regression gives
 * P(music) and the clip is music when it reaches `threshold`. Gates fitted since the speech/music
 * descriptors regress on the clip's mean window embedding plus those descriptors (Scheirer &
 * Slaney 1997, core/features/speech-music.ts); older ones on each window's L2-normalised CNN
 * embedding, averaged over the clip's windows. Gates fitted since the style inputs also take a
 * compact summary of the clip's style statistics ({@link gateStyleFeatures}: MFCC statistics and
 * the modulation spectrum averaged over registers, core/features/style.ts), and may add one
 * hidden layer of rectified units on every standardised input to the linear part. The model is
 * fitted by training/music-gate.ts on music excerpts of the training soundtracks against
 * generated speech and noise and real non-music recordings, and the threshold is chosen on
 * validation soundtracks and other packages' recordings (see metadata.json `musicGate.method`).
 */
import { SPEECH_MUSIC_DESCRIPTORS, SPEECH_MUSIC_SIZE } from '../features/speech-music.js';
import {
  MODULATION_BINS,
  MODULATION_GROUPS,
  STYLE_MFCC,
  STYLE_PARTS,
  STYLE_SIZE,
} from '../features/style.js';

/** What bots and the CLI answer to a clip the gate rejects. */
export const NOT_MUSIC_MESSAGE = "I couldn't hear music in that";

/** Gate parameters as stored in metadata.json. */
export interface MusicGateParams {
  /** Logistic-regression weights, one per embedding dimension. */
  readonly weights: readonly number[];
  readonly bias: number;
  /** Clip-level decision threshold on the mean window probability, in (0, 1). */
  readonly threshold: number;
  /** Clips with an RMS level below this (dBFS) are silence, whatever the windows say. */
  readonly silenceDbfs: number;
  /** How it was fitted and the threshold chosen. */
  readonly method: string;
  /**
   * Clip-level form (gates fitted since the speech/music descriptors): when present, the clip's
   * P(music) is one logistic regression on its mean window embedding (`weights`) and its
   * standardised speech/music descriptors (core/features/speech-music.ts), instead of the mean of
   * per-window probabilities.
   */
  readonly descriptors?: {
    /**
     * Descriptor names: the ones of core/features/speech-music.ts it takes, in the order of its
     * weights (a gate may take some of them; older gates took the first nine, in that order).
     */
    readonly names: readonly string[];
    readonly mean: readonly number[];
    readonly std: readonly number[];
    readonly weights: readonly number[];
  };
  /**
   * Style inputs (gates fitted since the style inputs): the clip's {@link gateStyleFeatures},
   * standardised, with their weights in the linear part. Absent: the gate reads no style.
   */
  readonly style?: {
    /** Feature names, in the order of {@link GATE_STYLE_FEATURES} (checked at use). */
    readonly names: readonly string[];
    readonly mean: readonly number[];
    readonly std: readonly number[];
    readonly weights: readonly number[];
  };
  /**
   * One hidden layer added to the linear part: z += Σₕ output[h]·max(0, bias[h] + W[h]·x), where x
   * is every input standardised — the mean window embedding by `embeddingMean`/`embeddingStd`,
   * then the descriptors and the style features by their own mean and std. Absent: linear.
   */
  readonly hidden?: {
    readonly embeddingMean: readonly number[];
    readonly embeddingStd: readonly number[];
    /** units × inputs, row-major (inputs: embedding, descriptors, style features). */
    readonly weights: readonly number[];
    readonly bias: readonly number[];
    readonly output: readonly number[];
  };
}

/**
 * Names of {@link gateStyleFeatures}' values: MFCC means 1–19 (the 0th, the clip's level, is left
 * out: a voice note's gain says nothing of music), MFCC standard deviations 0–19, and the
 * modulation spectrum averaged over its mel-band groups, bins 1–60 (≈ 0.17–10 Hz).
 */
export const GATE_STYLE_FEATURES: readonly string[] = [
  ...Array.from({ length: STYLE_MFCC - 1 }, (_, k) => `mfccMean${k + 1}`),
  ...Array.from({ length: STYLE_MFCC }, (_, k) => `mfccStd${k}`),
  ...Array.from({ length: MODULATION_BINS }, (_, b) => `modulation${b + 1}`),
];

/**
 * The gate's compact summary of a clip's style statistics: gain-free MFCC statistics and the
 * register-averaged modulation spectrum (rhythm and articulation: a beat gives peaks at the
 * tempo's modulation frequency in every register at once).
 *
 * @param style - the raw vector of core/features/style.ts `styleStatistics` (STYLE_SIZE values)
 * @returns {@link GATE_STYLE_FEATURES}.length values, in that order
 * @throws Error when `style` is not STYLE_SIZE long
 */
export function gateStyleFeatures(style: ArrayLike<number>): Float64Array {
  if (style.length !== STYLE_SIZE) {
    throw new Error(`music gate expects ${STYLE_SIZE} style statistics, got ${style.length}`);
  }
  const out = new Float64Array(GATE_STYLE_FEATURES.length);
  let p = 0;
  for (let k = 1; k < STYLE_MFCC; k++) out[p++] = style[k]!;
  for (let k = 0; k < STYLE_MFCC; k++) out[p++] = style[STYLE_MFCC + k]!;
  const modulation = STYLE_SIZE - (STYLE_PARTS[2]?.size ?? 0);
  for (let b = 0; b < MODULATION_BINS; b++) {
    let sum = 0;
    for (let g = 0; g < MODULATION_GROUPS; g++) sum += style[modulation + g * MODULATION_BINS + b]!;
    out[p++] = sum / MODULATION_GROUPS;
  }
  return out;
}

/** The gate's verdict on one clip. */
export interface MusicVerdict {
  /** Mean P(music) over the clip's windows, in [0, 1] (0 for silence). */
  readonly probability: number;
  readonly isMusic: boolean;
  /** Why it was rejected, when it was. */
  readonly reason?: 'silence' | 'not-music';
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Loudness below which a clip is silence, dBFS (RMS; music in a voice note sits around −35…−10,
 * a quiet room at −50…−70 after a phone's gain).
 */
export const SILENCE_DBFS = -60;

/**
 * The verdict for a model without a fitted classifier: only the silence rule applies.
 *
 * @param loudnessDb - RMS level of the analysed audio in dBFS
 * @param silenceDbfs - the silence threshold (default {@link SILENCE_DBFS})
 * @returns a silence verdict, or undefined when the clip is loud enough to be searched
 */
export function judgeSilence(
  loudnessDb: number,
  silenceDbfs = SILENCE_DBFS,
): MusicVerdict | undefined {
  return loudnessDb < silenceDbfs
    ? { probability: 0, isMusic: false, reason: 'silence' }
    : undefined;
}

/**
 * P(music) of each window.
 *
 * @param windowEmbeddings - windowCount × dim L2-normalised window embeddings, row-major
 * @param windowCount - number of windows
 * @param gate - the fitted gate (weights.length must equal dim)
 * @returns windowCount probabilities in [0, 1]
 * @throws Error when the weights do not match the embedding size
 */
export function windowMusicProbabilities(
  windowEmbeddings: Float32Array,
  windowCount: number,
  gate: Pick<MusicGateParams, 'weights' | 'bias'>,
): Float32Array {
  const dim = gate.weights.length;
  if (windowEmbeddings.length !== windowCount * dim) {
    throw new Error(
      `music gate expects ${dim}-d window embeddings, got ${windowEmbeddings.length / Math.max(1, windowCount)}`,
    );
  }
  const out = new Float32Array(windowCount);
  for (let w = 0; w < windowCount; w++) {
    let z = gate.bias;
    for (let d = 0; d < dim; d++) z += gate.weights[d]! * windowEmbeddings[w * dim + d]!;
    out[w] = sigmoid(z);
  }
  return out;
}

/**
 * The descriptors a gate takes, in the order of its weights.
 *
 * @param descriptors - either every descriptor the engine computes (SPEECH_MUSIC_SIZE values in
 *   the order of core/features/speech-music.ts SPEECH_MUSIC_DESCRIPTORS), whose values are then
 *   taken by the gate's names, or exactly the gate's own descriptors, in its order
 * @param names - the gate's descriptor names
 * @returns names.length values
 * @throws Error when `descriptors` is neither, or a name is not one the engine computes
 */
function gateDescriptorValues(
  descriptors: ArrayLike<number>,
  names: readonly string[],
): ArrayLike<number> {
  const all = SPEECH_MUSIC_DESCRIPTORS as readonly string[];
  const inEngineOrder = names.length === all.length && names.every((n, i) => all[i] === n);
  if (descriptors.length === names.length && (inEngineOrder || descriptors.length !== all.length)) {
    return descriptors;
  }
  if (descriptors.length !== SPEECH_MUSIC_SIZE) {
    throw new Error(
      `music gate expects ${names.length} speech/music descriptors, got ${descriptors.length}`,
    );
  }
  return names.map((name) => {
    const at = all.indexOf(name);
    if (at < 0) throw new Error(`music gate: the engine computes no descriptor "${name}"`);
    return descriptors[at]!;
  });
}

/**
 * The clip-level P(music) of a gate with descriptors: σ(bias + w·mean window embedding +
 * v·standardised descriptors [+ u·standardised style features] [+ the hidden layer's output]).
 *
 * @param windowEmbeddings - windowCount × dim L2-normalised window embeddings (windowCount ≥ 1)
 * @param descriptors - the clip's speech/music descriptors: all that core/features/speech-music.ts
 *   computes (the gate takes its own by name) or exactly the gate's, in its order
 * @param style - the clip's raw style statistics (core/features/style.ts); required when the
 *   gate has `style`
 * @returns P(music) in [0, 1]
 * @throws Error when the sizes disagree with the gate, or a gate with style inputs gets none
 */
export function clipMusicProbability(
  windowEmbeddings: Float32Array,
  windowCount: number,
  descriptors: ArrayLike<number>,
  gate: Pick<MusicGateParams, 'weights' | 'bias' | 'descriptors' | 'style' | 'hidden'>,
  style?: ArrayLike<number>,
): number {
  const dim = gate.weights.length;
  const d = gate.descriptors;
  if (!d) throw new Error('music gate: this gate takes no speech/music descriptors');
  const values = gateDescriptorValues(descriptors, d.names);
  if (values.length !== d.weights.length) {
    throw new Error(
      `music gate expects ${d.weights.length} speech/music descriptors, got ${values.length}`,
    );
  }
  if (windowEmbeddings.length !== windowCount * dim) {
    throw new Error(`music gate expects ${dim}-d window embeddings`);
  }
  const s = gate.style;
  if (s && !style) throw new Error("this music gate needs the clip's style statistics");
  if (s && s.names.join() !== GATE_STYLE_FEATURES.join()) {
    throw new Error('music gate: its style features are not the ones this engine computes');
  }
  const styleFeatures = s && style ? gateStyleFeatures(style) : new Float64Array(0);
  const mean = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    let sum = 0;
    for (let w = 0; w < windowCount; w++) sum += windowEmbeddings[w * dim + k]!;
    mean[k] = sum / windowCount;
  }
  // Every input but the embedding, standardised.
  const others = new Float64Array(d.weights.length + styleFeatures.length);
  for (let j = 0; j < d.weights.length; j++) {
    others[j] = (values[j]! - d.mean[j]!) / (d.std[j]! || 1);
  }
  for (let j = 0; j < styleFeatures.length; j++) {
    others[d.weights.length + j] = (styleFeatures[j]! - s!.mean[j]!) / (s!.std[j]! || 1);
  }
  let z = gate.bias;
  for (let k = 0; k < dim; k++) z += gate.weights[k]! * mean[k]!;
  for (let j = 0; j < d.weights.length; j++) z += d.weights[j]! * others[j]!;
  for (let j = 0; j < styleFeatures.length; j++) {
    z += s!.weights[j]! * others[d.weights.length + j]!;
  }
  const h = gate.hidden;
  if (h) {
    const inputs = dim + others.length;
    if (h.weights.length !== h.bias.length * inputs) {
      throw new Error(
        `music gate: hidden layer expects ${h.weights.length / h.bias.length} inputs, got ${inputs}`,
      );
    }
    const x = new Float64Array(inputs);
    for (let k = 0; k < dim; k++)
      x[k] = (mean[k]! - h.embeddingMean[k]!) / (h.embeddingStd[k]! || 1);
    x.set(others, dim);
    for (let u = 0; u < h.bias.length; u++) {
      let a = h.bias[u]!;
      for (let i = 0; i < inputs; i++) a += h.weights[u * inputs + i]! * x[i]!;
      if (a > 0) z += h.output[u]! * a;
    }
  }
  return sigmoid(z);
}

/**
 * Decides whether a clip is music.
 *
 * @param windowEmbeddings - windowCount × dim L2-normalised window embeddings
 * @param windowCount - number of windows (0 counts as silence)
 * @param loudnessDb - RMS level of the analysed audio in dBFS
 * @param gate - the fitted gate
 * @param descriptors - the clip's speech/music descriptors (all of core/features/speech-music.ts,
 *   or exactly the gate's); required when the gate has `descriptors` (core/analysis/analyze.ts
 *   computes them then)
 * @param style - the clip's raw style statistics (core/features/style.ts); required when the
 *   gate has `style`
 * @throws Error when a gate with descriptors or style inputs gets none, or sizes disagree
 */
export function judgeMusic(
  windowEmbeddings: Float32Array,
  windowCount: number,
  loudnessDb: number,
  gate: MusicGateParams,
  descriptors?: ArrayLike<number>,
  style?: ArrayLike<number>,
): MusicVerdict {
  const silent = judgeSilence(windowCount === 0 ? -Infinity : loudnessDb, gate.silenceDbfs);
  if (silent) return silent;
  let probability: number;
  if (gate.descriptors) {
    if (!descriptors) throw new Error("this music gate needs the clip's speech/music descriptors");
    probability = clipMusicProbability(windowEmbeddings, windowCount, descriptors, gate, style);
  } else {
    const p = windowMusicProbabilities(windowEmbeddings, windowCount, gate);
    let sum = 0;
    for (const v of p) sum += v;
    probability = sum / windowCount;
  }
  return probability >= gate.threshold
    ? { probability, isMusic: true }
    : { probability, isMusic: false, reason: 'not-music' };
}
