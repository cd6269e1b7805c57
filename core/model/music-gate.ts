/**
 * The music/non-music gate: before recommending, decide whether a clip holds music at all, so that
 * talking, silence or noise is answered with "I couldn't hear music in that" instead of five
 * random tracks.
 *
 * Two stages: a clip quieter than `silenceDbfs` is silence; otherwise a logistic regression gives
 * P(music) and the clip is music when it reaches `threshold`. Gates fitted since the speech/music
 * descriptors regress on the clip's mean window embedding plus those descriptors (Scheirer &
 * Slaney 1997, core/features/speech-music.ts); older ones on each window's L2-normalised CNN
 * embedding, averaged over the clip's windows. The regression is fitted by training/music-gate.ts
 * on music windows of the training soundtracks against espeak-ng speech, chatter and sox noise,
 * and the threshold is chosen on validation soundtracks (see metadata.json `musicGate.method`).
 */

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
    /** Descriptor names, in the order of core/features/speech-music.ts (checked at use). */
    readonly names: readonly string[];
    readonly mean: readonly number[];
    readonly std: readonly number[];
    readonly weights: readonly number[];
  };
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
 * The clip-level P(music) of a gate with descriptors: σ(bias + w·mean window embedding +
 * v·standardised descriptors).
 *
 * @param windowEmbeddings - windowCount × dim L2-normalised window embeddings (windowCount ≥ 1)
 * @param descriptors - the clip's speech/music descriptors (core/features/speech-music.ts)
 * @returns P(music) in [0, 1]
 * @throws Error when the sizes disagree with the gate
 */
export function clipMusicProbability(
  windowEmbeddings: Float32Array,
  windowCount: number,
  descriptors: ArrayLike<number>,
  gate: Pick<MusicGateParams, 'weights' | 'bias' | 'descriptors'>,
): number {
  const dim = gate.weights.length;
  const d = gate.descriptors;
  if (!d || descriptors.length !== d.weights.length) {
    throw new Error(
      `music gate expects ${d?.weights.length ?? 0} speech/music descriptors, got ${descriptors.length}`,
    );
  }
  if (windowEmbeddings.length !== windowCount * dim) {
    throw new Error(`music gate expects ${dim}-d window embeddings`);
  }
  let z = gate.bias;
  for (let k = 0; k < dim; k++) {
    let mean = 0;
    for (let w = 0; w < windowCount; w++) mean += windowEmbeddings[w * dim + k]!;
    z += (gate.weights[k]! * mean) / windowCount;
  }
  for (let j = 0; j < d.weights.length; j++) {
    z += (d.weights[j]! * (descriptors[j]! - d.mean[j]!)) / (d.std[j]! || 1);
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
 * @param descriptors - the clip's speech/music descriptors; required when the gate has
 *   `descriptors` (core/analyze.ts computes them then)
 * @throws Error when a gate with descriptors gets none, or sizes disagree
 */
export function judgeMusic(
  windowEmbeddings: Float32Array,
  windowCount: number,
  loudnessDb: number,
  gate: MusicGateParams,
  descriptors?: ArrayLike<number>,
): MusicVerdict {
  const silent = judgeSilence(windowCount === 0 ? -Infinity : loudnessDb, gate.silenceDbfs);
  if (silent) return silent;
  let probability: number;
  if (gate.descriptors) {
    if (!descriptors) throw new Error("this music gate needs the clip's speech/music descriptors");
    probability = clipMusicProbability(windowEmbeddings, windowCount, descriptors, gate);
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
