/**
 * Chroma and key. Chroma: STFT power folded onto the 12 pitch classes (each bin between 80 Hz and
 * 5 kHz shares its power between the two nearest equal-tempered semitones, A4 = 440 Hz, in
 * proportion to closeness), each frame normalised to sum 1, averaged over non-silent frames.
 * Key: Krumhansl–Schmuckler — Pearson correlation of the chroma with the Krumhansl & Kessler
 * (1982) major and minor key profiles in all 12 rotations (Krumhansl 1990, "Cognitive
 * Foundations of Musical Pitch", ch. 4; Krumhansl & Kessler 1982, Psychological Review 89(4)).
 */

/** Pitch-class names, index 0 = C. */
export const PITCH_CLASSES = [
  'C',
  'C#',
  'D',
  'D#',
  'E',
  'F',
  'F#',
  'G',
  'G#',
  'A',
  'A#',
  'B',
] as const;

/** A pitch-class name. */
export type PitchClass = (typeof PITCH_CLASSES)[number];

/** A key estimate. */
export interface KeyEstimate {
  readonly tonic: PitchClass;
  readonly mode: 'major' | 'minor';
  /** Pearson correlation of the chroma with the best key profile, clamped to 0…1. */
  readonly confidence: number;
}

/** Krumhansl & Kessler (1982) probe-tone ratings, major key, from the tonic upwards. */
export const KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
/** Krumhansl & Kessler (1982) probe-tone ratings, minor key, from the tonic upwards. */
export const KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

const CHROMA_MIN_HZ = 80;
const CHROMA_MAX_HZ = 5000;

/** Accumulates chroma frame by frame from power spectra. */
export class ChromaAccumulator {
  private readonly binA: Int32Array;
  private readonly binB: Int32Array;
  private readonly weightA: Float64Array;
  /** The bins within 80–5,000 Hz: [firstBin, endBin). */
  private readonly firstBin: number;
  private readonly endBin: number;
  private readonly frameChroma = new Float64Array(12);
  private readonly frames: Float64Array[] = [];
  private readonly energies: number[] = [];

  /**
   * @param sampleRate - Hz
   * @param nFft - FFT size of the spectra that will be added
   */
  constructor(sampleRate: number, nFft: number) {
    const bins = nFft / 2 + 1;
    this.binA = new Int32Array(bins).fill(-1);
    this.binB = new Int32Array(bins).fill(-1);
    this.weightA = new Float64Array(bins);
    let first = bins;
    let end = 0;
    for (let k = 1; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      if (f < CHROMA_MIN_HZ || f > CHROMA_MAX_HZ) continue;
      first = Math.min(first, k);
      end = k + 1;
      const midi = 69 + 12 * Math.log2(f / 440);
      const lower = Math.floor(midi);
      const frac = midi - lower;
      this.binA[k] = ((lower % 12) + 12) % 12;
      this.binB[k] = (lower + 1) % 12;
      this.weightA[k] = 1 - frac;
    }
    this.firstBin = first;
    this.endBin = end;
  }

  /** Adds one frame's power spectrum (length nFft/2 + 1). */
  add(power: ArrayLike<number>): void {
    const c = this.frameChroma;
    c.fill(0);
    let total = 0;
    for (let k = this.firstBin; k < this.endBin; k++) {
      const a = this.binA[k]!;
      const p = power[k]!;
      const w = this.weightA[k]!;
      c[a]! += w * p;
      c[this.binB[k]!]! += (1 - w) * p;
      total += p;
    }
    this.frames.push(Float64Array.from(c));
    this.energies.push(total);
  }

  /**
   * The chroma: frames more than 40 dB below the loudest are ignored, the rest normalised to sum
   * 1 and averaged.
   *
   * @returns 12 values summing to 1 (index 0 = C); all 1/12 when everything is silent
   */
  result(): number[] {
    let maxEnergy = 0;
    for (const e of this.energies) if (e > maxEnergy) maxEnergy = e;
    const sum = new Float64Array(12);
    let used = 0;
    this.frames.forEach((frame, i) => {
      const e = this.energies[i]!;
      if (maxEnergy <= 0 || e < maxEnergy * 1e-4 || e <= 0) return;
      for (let p = 0; p < 12; p++) sum[p]! += frame[p]! / e;
      used++;
    });
    if (used === 0) return new Array<number>(12).fill(1 / 12);
    const total = sum.reduce((s, v) => s + v, 0);
    return Array.from(sum, (v) => v / total);
  }
}

/**
 * Krumhansl–Schmuckler key finding over 24 keys.
 *
 * @param chroma - 12 pitch-class weights, index 0 = C
 * @returns the best-correlated key; C major with confidence 0 when the chroma is flat
 */
export function estimateKey(chroma: readonly number[]): KeyEstimate {
  let best: KeyEstimate = { tonic: 'C', mode: 'major', confidence: 0 };
  let bestR = -Infinity;
  for (const [mode, profile] of [
    ['major', KK_MAJOR],
    ['minor', KK_MINOR],
  ] as const) {
    for (let tonic = 0; tonic < 12; tonic++) {
      const rotated = chroma.map((_, pc) => profile[(pc - tonic + 12) % 12]!);
      const r = pearson(chroma, rotated);
      if (r > bestR) {
        bestR = r;
        best = { tonic: PITCH_CLASSES[tonic]!, mode, confidence: Math.max(0, Math.min(1, r)) };
      }
    }
  }
  return best;
}

/**
 * Pearson correlation of two equally long sequences.
 *
 * @param a - values
 * @param b - values, as many as `a`
 * @returns the correlation in [−1, 1]; 0 when either sequence is constant
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
