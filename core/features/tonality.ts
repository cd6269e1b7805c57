/**
 * Tonality statistics of a recording: how tonal it is and how its harmony moves, from a chroma
 * sequence (pitch-class profiles, Fujishima 1999) of a long-window STFT. Eighteen numbers that tell
 * a rapped verse over a drum loop from a sung one over chords, a jazz progression from a held
 * drone, a major key from a minor one — what the MFCC and modulation statistics of
 * core/features/style.ts do not see.
 *
 * Per frame (≈ 186 ms, half overlapping; core/features/stft.ts, centred Hann frames): the STFT magnitude of the bins between
 * {@link TONALITY_MIN_HZ} and {@link TONALITY_MAX_HZ} summed into 12 pitch classes (nearest
 * equal-tempered semitone of A = 440 Hz), normalised to sum 1; frames quieter than 1/1000 of the
 * median frame are left out. Then, in {@link TONALITY_NAMES} order:
 *
 * - chroma entropy (nats): mean, standard deviation, 10th / 50th / 90th percentile — noise and drums
 *   spread over the 12 classes, held chords concentrate;
 * - chroma flux (L1 distance between frames 1, 5 and 20 frames apart, ≈ 0.19 / 0.93 / 3.7 s):
 *   mean and standard deviation of each — how fast the harmony changes;
 * - the strongest class's share: mean and standard deviation;
 * - tonal centroid (Harte, Sandler & Gasser 2006, the 6-d Tonnetz projection): mean length, and
 *   mean distance between consecutive frames;
 * - key clarity: the highest Pearson correlation of the mean chroma with the 24 rotations of the
 *   Krumhansl–Kessler major and minor key profiles (Krumhansl 1990), and the best major less the
 *   best minor correlation;
 * - entropy of the mean chroma (how many pitch classes the piece uses).
 *
 * Standardised with training statistics and L2-normalised like the other parts of the track vector
 * (core/model/fusion.ts).
 */
import { f64View } from '../dsp/kernels.js';
import { KK_MAJOR, KK_MINOR, pearson } from './key.js';
import { forEachPowerBlock, frameCount } from './stft.js';

/** Lowest frequency summed into the chroma (Hz). */
export const TONALITY_MIN_HZ = 60;
/** Highest frequency summed into the chroma (Hz). */
export const TONALITY_MAX_HZ = 5000;
/** Frame length in seconds; the FFT size is the power of two nearest to it at the sample rate. */
export const TONALITY_FRAME_S = 0.1858;
/** Frame distances of the chroma flux. */
export const TONALITY_FLUX_LAGS = [1, 5, 20] as const;

/** Names of the values {@link tonalityStatistics} returns, in order. */
export const TONALITY_NAMES = [
  'entropyMean',
  'entropyStd',
  'entropyP10',
  'entropyP50',
  'entropyP90',
  'flux1Mean',
  'flux1Std',
  'flux5Mean',
  'flux5Std',
  'flux20Mean',
  'flux20Std',
  'maxShareMean',
  'maxShareStd',
  'tonalCentroidNorm',
  'tonalCentroidFlux',
  'keyClarity',
  'majorMinusMinor',
  'meanChromaEntropy',
] as const;

/** Length of the vector {@link tonalityStatistics} returns. */
export const TONALITY_SIZE = TONALITY_NAMES.length;

/** Harte et al.'s tonal-centroid basis: 6 rows (fifths, minor thirds, major thirds) × 12 classes. */
const CENTROID_BASIS: readonly Float64Array[] = (() => {
  const rows: Float64Array[] = [];
  for (const [radius, angle] of [
    [1, (7 * Math.PI) / 6],
    [1, (3 * Math.PI) / 2],
    [0.5, (2 * Math.PI) / 3],
  ] as const) {
    rows.push(Float64Array.from({ length: 12 }, (_, l) => radius * Math.sin(l * angle)));
    rows.push(Float64Array.from({ length: 12 }, (_, l) => radius * Math.cos(l * angle)));
  }
  return rows;
})();

/** One piece of a recording's PCM. */
export interface TonalitySegment {
  /** Mono PCM in [-1, 1]. */
  readonly pcm: Float32Array;
  /** Its sample rate in Hz (≥ 11,025, so that {@link TONALITY_MAX_HZ} is below Nyquist). */
  readonly sampleRate: number;
}

interface Plan {
  readonly size: number;
  /** Pitch class of each bin from `firstBin` on, −1 outside the range. */
  readonly pitchClass: Int8Array;
  /** First bin in the range. */
  readonly firstBin: number;
}

const plans = new Map<number, Plan>();

function planFor(sampleRate: number): Plan {
  const cached = plans.get(sampleRate);
  if (cached) return cached;
  const size = 2 ** Math.round(Math.log2(TONALITY_FRAME_S * sampleRate));
  const firstBin = Math.floor((TONALITY_MIN_HZ * size) / sampleRate);
  const lastBin = Math.min(size / 2, Math.ceil((TONALITY_MAX_HZ * size) / sampleRate));
  const pitchClass = new Int8Array(lastBin - firstBin + 1).fill(-1);
  for (let k = firstBin; k <= lastBin; k++) {
    const hz = (k * sampleRate) / size;
    if (hz > TONALITY_MIN_HZ && hz < TONALITY_MAX_HZ) {
      pitchClass[k - firstBin] = ((Math.round(12 * Math.log2(hz / 440)) % 12) + 12) % 12;
    }
  }
  const plan = { size, pitchClass, firstBin };
  plans.set(sampleRate, plan);
  return plan;
}

/** The chroma of one segment, before the statistics ({@link tonalityChroma}). */
export interface TonalityChroma {
  /** 12 pitch-class magnitudes a frame (unnormalised), frame-major. */
  readonly chroma: Float64Array;
  /** Each frame's sum of the 12. */
  readonly energy: Float64Array;
}

/**
 * The chroma frames of a segment from STFT powers: what {@link tonalityChroma} sums, fed by whoever
 * computes the STFT — its own, or another consumer's of the same frames (the spectral descriptors'
 * 186 ms frames, core/features/descriptors.ts), so that the segment is transformed once.
 */
export class TonalityChromaAccumulator {
  /** FFT size the powers must come from (the power of two nearest {@link TONALITY_FRAME_S}). */
  readonly nFft: number;
  /** Samples between frames (half a frame). */
  readonly hopLength: number;
  /** Frames expected: none for a segment shorter than one frame. */
  readonly frames: number;
  readonly #plan: Plan;
  readonly #chroma: Float64Array;
  readonly #energy: Float64Array;

  /**
   * @param sampleRate - the segment's sample rate, Hz (≥ 11,025)
   * @param samples - the segment's length in samples
   */
  constructor(sampleRate: number, samples: number) {
    this.#plan = planFor(sampleRate);
    this.nFft = this.#plan.size;
    this.hopLength = this.nFft / 2;
    this.frames = samples < this.nFft ? 0 : frameCount(samples, this.hopLength);
    this.#chroma = new Float64Array(12 * this.frames);
    this.#energy = new Float64Array(this.frames);
  }

  /**
   * Adds `count` frames from frame `first` on (frames past {@link frames} are ignored).
   *
   * @param first - index of the first frame
   * @param count - frames in `power`
   * @param power - their power spectra, `count × (nFft / 2 + 1)`, frame-major
   */
  add(first: number, count: number, power: Float64Array): void {
    const { pitchClass, firstBin } = this.#plan;
    const bins = this.nFft / 2 + 1;
    const chroma = this.#chroma;
    for (let f = 0; f < count && first + f < this.frames; f++) {
      const row = f * bins + firstBin;
      const at = 12 * (first + f);
      for (let i = 0; i < pitchClass.length; i++) {
        const p = pitchClass[i]!;
        if (p >= 0) chroma[at + p]! += Math.sqrt(power[row + i]!);
      }
      let e = 0;
      for (let p = 0; p < 12; p++) e += chroma[at + p]!;
      this.#energy[first + f] = e;
    }
  }

  /** The frames added (12 pitch-class magnitudes each, and their sums). */
  result(): TonalityChroma {
    return { chroma: this.#chroma, energy: this.#energy };
  }
}

/**
 * The chroma frames of one segment: STFT magnitudes between {@link TONALITY_MIN_HZ} and
 * {@link TONALITY_MAX_HZ} summed per pitch class, frames of ≈ {@link TONALITY_FRAME_S} s half
 * overlapping (the FFT size is the power of two nearest that length at the segment's rate, so
 * 11,025, 22,050 and 44,100 Hz give the same frames in time and the same 5.38 Hz bins).
 *
 * @param segment - mono PCM in [-1, 1] at ≥ 11,025 Hz
 * @returns its frames (none when it is shorter than one frame)
 */
export function tonalityChroma(segment: TonalitySegment): TonalityChroma {
  const chroma = new TonalityChromaAccumulator(segment.sampleRate, segment.pcm.length);
  if (chroma.frames === 0) return chroma.result();
  const bins = chroma.nFft / 2 + 1;
  // The powers are read where the STFT leaves them (the DSP kernels' memory), frame by frame.
  forEachPowerBlock(segment.pcm, chroma.nFft, chroma.hopLength, (first, count, powerAt) => {
    chroma.add(first, count, f64View(powerAt, count * bins));
  });
  return chroma.result();
}

/** Entropy (nats) of the 12 values of `c` from `at`. */
function entropy(c: Float64Array, at = 0): number {
  let h = 0;
  for (let p = 0; p < 12; p++) h -= c[at + p]! * Math.log(c[at + p]! + 1e-9);
  return h;
}

/** Mean and standard deviation (ddof 0) of a running sum and sum of squares of n values. */
class Moments {
  private n = 0;
  private sum = 0;
  private sq = 0;
  add(x: number): void {
    this.n++;
    this.sum += x;
    this.sq += x * x;
  }
  get mean(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }
  get std(): number {
    return this.n === 0 ? 0 : Math.sqrt(Math.max(0, this.sq / this.n - this.mean ** 2));
  }
}

/** Percentile with linear interpolation between order statistics (numpy.percentile's default). */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Best correlation of `chroma` with the 12 rotations of `profile` (key on pitch class k). */
function bestKey(chroma: Float64Array, profile: readonly number[]): number {
  let best = -1;
  const rotated = new Float64Array(12);
  for (let k = 0; k < 12; k++) {
    for (let p = 0; p < 12; p++) rotated[p] = profile[(p - k + 12) % 12]!;
    best = Math.max(best, pearson(rotated, chroma));
  }
  return best;
}

/**
 * Tonality statistics over one or more PCM segments of a recording (segments analysed in pieces
 * count as one recording; frame differences stay within a segment).
 *
 * @param segments - mono PCM in [-1, 1], each at its own sample rate (≥ 11,025 Hz); segments
 *   shorter than one frame (≈ 0.19 s) add nothing
 * @returns {@link TONALITY_SIZE} raw values in {@link TONALITY_NAMES} order (entropies in nats,
 *   fluxes as L1 distances of unit-sum chroma in [0, 2], shares and correlations in [−1, 1]); all
 *   zeros when no frame is loud enough; a statistic that needs more frames than there are is 0
 */
export function tonalityStatistics(segments: readonly TonalitySegment[]): Float32Array {
  return tonalityStatisticsOfChroma(segments.map(tonalityChroma));
}

/**
 * {@link tonalityStatistics} of segments whose chroma was already computed
 * ({@link tonalityChroma}: the fingerprint computes its stretches' from its own 11,025 Hz audio).
 *
 * @param perSegment - each segment's chroma frames, in the recording's order
 * @returns as {@link tonalityStatistics}
 */
export function tonalityStatisticsOfChroma(perSegment: readonly TonalityChroma[]): Float32Array {
  const out = new Float32Array(TONALITY_SIZE);
  const energies = perSegment.flatMap((s) => Array.from(s.energy)).sort((a, b) => a - b);
  if (energies.length === 0) return out;
  const floor = 1e-3 * percentile(energies, 50);
  /** Kept frames of each segment, normalised to unit sum, 12 values a frame. */
  const kept = perSegment.map(({ chroma, energy }) => {
    const frames = new Float64Array(chroma.length);
    let n = 0;
    for (let t = 0; t < energy.length; t++) {
      const e = energy[t]!;
      if (!(e > floor) || e <= 0) continue;
      for (let p = 0; p < 12; p++) frames[12 * n + p] = chroma[12 * t + p]! / e;
      n++;
    }
    return frames.subarray(0, 12 * n);
  });
  const total = kept.reduce((n, k) => n + k.length / 12, 0);
  if (total === 0) return out;
  const entropies: number[] = [];
  const entropyMoments = new Moments();
  const maxShare = new Moments();
  const centroidNorm = new Moments();
  const centroidStep = new Moments();
  const flux = TONALITY_FLUX_LAGS.map(() => new Moments());
  const mean = new Float64Array(12);
  const centroid = new Float64Array(6);
  const previous = new Float64Array(6);
  for (const frames of kept) {
    const n = frames.length / 12;
    for (let t = 0; t < n; t++) {
      const at = 12 * t;
      const h = entropy(frames, at);
      entropies.push(h);
      entropyMoments.add(h);
      let max = 0;
      for (let p = 0; p < 12; p++) {
        max = Math.max(max, frames[at + p]!);
        mean[p]! += frames[at + p]! / total;
      }
      maxShare.add(max);
      let norm = 0;
      let step = 0;
      for (let d = 0; d < 6; d++) {
        const row = CENTROID_BASIS[d]!;
        let v = 0;
        for (let p = 0; p < 12; p++) v += row[p]! * frames[at + p]!;
        centroid[d] = v;
        norm += v * v;
        step += (v - previous[d]!) ** 2;
      }
      centroidNorm.add(Math.sqrt(norm));
      if (t > 0) centroidStep.add(Math.sqrt(step));
      previous.set(centroid);
      for (const [i, lag] of TONALITY_FLUX_LAGS.entries()) {
        if (t < lag) continue;
        let d = 0;
        for (let p = 0; p < 12; p++) d += Math.abs(frames[at + p]! - frames[at - 12 * lag + p]!);
        flux[i]!.add(d);
      }
    }
  }
  entropies.sort((a, b) => a - b);
  const major = bestKey(mean, KK_MAJOR);
  const minor = bestKey(mean, KK_MINOR);
  out.set([
    entropyMoments.mean,
    entropyMoments.std,
    percentile(entropies, 10),
    percentile(entropies, 50),
    percentile(entropies, 90),
    ...flux.flatMap((m) => [m.mean, m.std]),
    maxShare.mean,
    maxShare.std,
    centroidNorm.mean,
    centroidStep.mean,
    Math.max(major, minor),
    major - minor,
    entropy(mean),
  ]);
  return out;
}
