/**
 * The music gate's arithmetic: the silence rule, the mean-of-windows decision, fitting a
 * separable problem, a threshold that keeps the asked share of music, the style inputs and the
 * hidden layer.
 */
import { describe, expect, it } from 'vitest';
import { MODULATION_BINS, MODULATION_GROUPS, STYLE_SIZE } from '../../core/features/style.js';
import {
  clipMusicProbability,
  GATE_STYLE_FEATURES,
  gateStyleFeatures,
  judgeMusic,
  type MusicGateParams,
} from '../../core/model/music-gate.js';
import { createRng, gaussian, type Rng } from '../../core/util/random.js';
import {
  chooseThreshold,
  fitClipClassifier,
  fitGateNetwork,
  fitWindowClassifier,
  SILENCE_DBFS,
} from '../../training/music-gate.js';

const DIM = 8;

/** `count` unit vectors around direction +e0 (music) or −e0 (other), with noise. */
function cluster(count: number, sign: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const rows = new Float32Array(count * DIM);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let d = 0; d < DIM; d++) {
      const v = (d === 0 ? sign : 0) + 0.6 * gaussian(rng);
      rows[r * DIM + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < DIM; d++) rows[r * DIM + d]! /= Math.sqrt(norm);
  }
  return rows;
}

const gate = (threshold: number): MusicGateParams => ({
  weights: [8, 0, 0, 0, 0, 0, 0, 0],
  bias: 0,
  threshold,
  silenceDbfs: SILENCE_DBFS,
  method: 'test',
});

describe('judgeMusic', () => {
  it('calls a quiet clip silence whatever its windows say', () => {
    const rows = cluster(4, 1, 1);
    expect(judgeMusic(rows, 4, -75, gate(0.5))).toEqual({
      probability: 0,
      isMusic: false,
      reason: 'silence',
    });
    expect(judgeMusic(rows, 0, -20, gate(0.5)).isMusic).toBe(false);
  });

  it('averages window probabilities and compares them with the threshold', () => {
    const music = judgeMusic(cluster(6, 1, 2), 6, -20, gate(0.5));
    const other = judgeMusic(cluster(6, -1, 3), 6, -20, gate(0.5));
    expect(music.isMusic).toBe(true);
    expect(music.probability).toBeGreaterThan(0.8);
    expect(other).toMatchObject({ isMusic: false, reason: 'not-music' });
    expect(other.probability).toBeLessThan(0.2);
    // The same clip flips with the threshold.
    expect(judgeMusic(cluster(6, 1, 2), 6, -20, gate(0.999)).isMusic).toBe(false);
  });

  it('refuses embeddings of another size', () => {
    expect(() => judgeMusic(new Float32Array(12), 2, -20, gate(0.5))).toThrow(/8-d/);
  });
});

describe('fitting', () => {
  it('learns to separate two clusters and keeps the asked share of music', () => {
    const music = { rows: cluster(300, 1, 4), count: 300 };
    const other = { rows: cluster(100, -1, 5), count: 100 };
    const classifier = fitWindowClassifier(music, other, DIM, { iterations: 300 });
    expect(classifier.weights[0]).toBeGreaterThan(1);
    const clips = [
      ...Array.from({ length: 40 }, (_, i) => ({
        rows: cluster(4, 1, 100 + i),
        count: 4,
        loudnessDb: -20,
        music: true,
      })),
      ...Array.from({ length: 40 }, (_, i) => ({
        rows: cluster(4, -1, 200 + i),
        count: 4,
        loudnessDb: -20,
        music: false,
      })),
    ];
    const choice = chooseThreshold(clips, classifier, 0.97);
    expect(choice.musicAccepted).toBeGreaterThanOrEqual(0.97);
    expect(choice.otherRejected).toBeGreaterThan(0.9);
    expect(choice.threshold).toBeGreaterThan(0);
    expect(choice.threshold).toBeLessThan(1);
  });
});

describe('the clip-level gate (mean embedding + speech/music descriptors)', () => {
  const names = ['a', 'b'];
  /** Clips whose embedding says nothing and whose first descriptor separates the classes. */
  const clips = (count: number, sign: number, seed: number) => {
    const rng = createRng(seed);
    return Array.from({ length: count }, () => ({
      meanEmbedding: Float32Array.from({ length: DIM }, () => 0.3 * gaussian(rng)),
      descriptors: Float64Array.from([sign + 0.5 * gaussian(rng), gaussian(rng)]),
    }));
  };

  it('learns to lean on the informative descriptor', () => {
    const fitted = fitClipClassifier(clips(80, 1, 1), clips(80, -1, 2), DIM, names);
    expect(fitted.descriptors.names).toEqual(names);
    const [wa, wb] = fitted.descriptors.weights as [number, number];
    expect(Math.abs(wa)).toBeGreaterThan(3 * Math.abs(wb));
    const gate: MusicGateParams = {
      ...fitted,
      threshold: 0.5,
      silenceDbfs: SILENCE_DBFS,
      method: '',
    };
    const accepted = (set: ReturnType<typeof clips>) =>
      set.filter((c) => judgeMusic(c.meanEmbedding, 1, -20, gate, c.descriptors).isMusic).length;
    expect(accepted(clips(50, 1, 3))).toBeGreaterThanOrEqual(45);
    expect(accepted(clips(50, -1, 4))).toBeLessThanOrEqual(5);
  });

  it('uses an embedding dimension whose differences are as small as real ones', () => {
    // Real window embeddings are L2-normalised, so one dimension moves by hundredths: the fit
    // standardises it and folds the scale back into the stored weight.
    const small = (count: number, sign: number, seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: count }, () => ({
        meanEmbedding: Float32Array.from(
          { length: DIM },
          (_, d) => 0.05 + (d === 0 ? 0.02 * sign : 0) + 0.01 * gaussian(rng),
        ),
        descriptors: Float64Array.from([gaussian(rng), gaussian(rng)]),
      }));
    };
    const fitted = fitClipClassifier(small(80, 1, 7), small(80, -1, 8), DIM, names);
    const gate: MusicGateParams = {
      ...fitted,
      threshold: 0.5,
      silenceDbfs: SILENCE_DBFS,
      method: '',
    };
    const accepted = (set: ReturnType<typeof small>) =>
      set.filter((c) => judgeMusic(c.meanEmbedding, 1, -20, gate, c.descriptors).isMusic).length;
    expect(accepted(small(50, 1, 9))).toBeGreaterThanOrEqual(45);
    expect(accepted(small(50, -1, 10))).toBeLessThanOrEqual(5);
  });

  it('refuses to judge without the descriptors it was fitted with', () => {
    const fitted = fitClipClassifier(clips(10, 1, 5), clips(10, -1, 6), DIM, names);
    const gate: MusicGateParams = {
      ...fitted,
      threshold: 0.5,
      silenceDbfs: SILENCE_DBFS,
      method: '',
    };
    const rows = new Float32Array(DIM);
    expect(() => judgeMusic(rows, 1, -20, gate)).toThrow(/descriptors/);
    expect(() => judgeMusic(rows, 1, -20, gate, [1, 2, 3])).toThrow(/descriptors/);
    expect(() => clipMusicProbability(rows, 1, [1, 2], gate)).not.toThrow();
  });
});

describe('style inputs and the hidden layer', () => {
  const names = ['a'];
  /** A raw style vector whose modulation spectrum peaks at bin `peak` in every register. */
  const styleWith = (rng: Rng, peak: number) => {
    const s = new Float32Array(STYLE_SIZE);
    for (let i = 0; i < STYLE_SIZE; i++) s[i] = 0.2 * gaussian(rng);
    const modulation = STYLE_SIZE - MODULATION_GROUPS * MODULATION_BINS;
    for (let g = 0; g < MODULATION_GROUPS; g++) s[modulation + g * MODULATION_BINS + peak]! += 1;
    return s;
  };
  /** Clips whose embedding and descriptor say nothing; music has a modulation peak at bin 12. */
  const clips = (count: number, music: boolean, seed: number) => {
    const rng = createRng(seed);
    return Array.from({ length: count }, () => ({
      meanEmbedding: Float32Array.from({ length: DIM }, () => 0.3 * gaussian(rng)),
      descriptors: Float64Array.from([gaussian(rng)]),
      style: styleWith(rng, music ? 12 : 40),
    }));
  };

  it('summarises the style statistics in the documented order', () => {
    const s = new Float32Array(STYLE_SIZE).map((_, i) => i);
    const f = gateStyleFeatures(s);
    expect(f.length).toBe(GATE_STYLE_FEATURES.length);
    expect(GATE_STYLE_FEATURES[0]).toBe('mfccMean1');
    expect(f[0]).toBe(1); // MFCC mean 1 (the level, mean 0, is left out)
    expect(f[19]).toBe(20); // MFCC std 0
    const modulation = STYLE_SIZE - MODULATION_GROUPS * MODULATION_BINS;
    // Modulation bin 1: the mean over the 16 groups of values modulation + g·60.
    expect(f[39]).toBeCloseTo(modulation + (MODULATION_BINS * (MODULATION_GROUPS - 1)) / 2, 4);
    expect(() => gateStyleFeatures(new Float32Array(10))).toThrow(/style statistics/);
  });

  it('learns from the style features and needs them to judge', () => {
    const fitted = fitClipClassifier(clips(60, true, 1), clips(60, false, 2), DIM, names, {
      style: true,
    });
    expect(fitted.style?.names).toEqual(GATE_STYLE_FEATURES);
    const gate: MusicGateParams = {
      ...fitted,
      threshold: 0.5,
      silenceDbfs: SILENCE_DBFS,
      method: '',
    };
    const accepted = (set: ReturnType<typeof clips>) =>
      set.filter((c) => judgeMusic(c.meanEmbedding, 1, -20, gate, c.descriptors, c.style).isMusic)
        .length;
    expect(accepted(clips(40, true, 3))).toBeGreaterThanOrEqual(38);
    expect(accepted(clips(40, false, 4))).toBeLessThanOrEqual(2);
    const c = clips(1, true, 5)[0]!;
    expect(() => judgeMusic(c.meanEmbedding, 1, -20, gate, c.descriptors)).toThrow(/style/);
    // A gate without style inputs ignores the style it is given.
    const { style: _s, ...plain } = gate;
    expect(() => judgeMusic(c.meanEmbedding, 1, -20, plain, c.descriptors, c.style)).not.toThrow();
  });

  it('fits with a hidden layer what no linear gate can separate, as the engine computes it', () => {
    // Music when the two descriptors have the same sign (XOR): linear gates sit at chance.
    const xor = (count: number, music: boolean, seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: count }, () => {
        const a = (rng() < 0.5 ? -1 : 1) * (0.5 + rng());
        const b = (music ? Math.sign(a) : -Math.sign(a)) * (0.5 + rng());
        return {
          meanEmbedding: Float32Array.from({ length: DIM }, () => 0.1 * gaussian(rng)),
          descriptors: Float64Array.from([a, b]),
        };
      });
    };
    const xorNames = ['a', 'b'];
    const score = (fitted: ReturnType<typeof fitClipClassifier>) => {
      const gate: MusicGateParams = {
        ...fitted,
        threshold: 0.5,
        silenceDbfs: SILENCE_DBFS,
        method: '',
      };
      const right = (set: ReturnType<typeof xor>, music: boolean) =>
        set.filter(
          (c) => judgeMusic(c.meanEmbedding, 1, -20, gate, c.descriptors).isMusic === music,
        ).length;
      return (right(xor(50, true, 13), true) + right(xor(50, false, 14), false)) / 100;
    };
    const linear = fitClipClassifier(xor(100, true, 11), xor(100, false, 12), DIM, xorNames);
    const network = fitClipClassifier(xor(100, true, 11), xor(100, false, 12), DIM, xorNames, {
      hidden: 8,
      iterations: 800,
    });
    expect(network.hidden?.bias.length).toBe(8);
    expect(network.hidden?.weights.length).toBe(8 * (DIM + 2));
    expect(score(linear)).toBeLessThan(0.75);
    expect(score(network)).toBeGreaterThan(0.9);
  });

  it('fits the same network twice from the same data', () => {
    const a = fitGateNetwork(
      { rows: cluster(30, 1, 20), count: 30 },
      { rows: cluster(30, -1, 21), count: 30 },
      DIM,
      { hidden: 4, iterations: 50 },
    );
    const b = fitGateNetwork(
      { rows: cluster(30, 1, 20), count: 30 },
      { rows: cluster(30, -1, 21), count: 30 },
      DIM,
      { hidden: 4, iterations: 50 },
    );
    expect(a.hidden).toEqual(b.hidden);
    expect(a.weights).toEqual(b.weights);
  });
});
