/**
 * The fused track vector (core/model/fusion.ts): its cosine is the weighted sum of its parts'
 * cosines, and a clip's similarity, scaled by clipSimilarityScale, reads on the catalogue's scale.
 */
import { describe, expect, it } from 'vitest';
import { STYLE_PARTS, STYLE_SIZE } from '../../core/features/style.js';
import { TONALITY_SIZE } from '../../core/features/tonality.js';
import {
  clipSimilarityScale,
  type FusionParams,
  fuseEmbedding,
  timbreWeight,
  trackVectorSize,
} from '../../core/model/fusion.js';
import { createRng } from '../../core/util/random.js';

const rng = createRng(5);
const randomVector = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const cosine = (a: Float32Array, b: Float32Array) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

const TIMBRE = 20;
const CNN = 16;
const fusion: FusionParams = {
  weight: 0.3,
  timbreMean: Array.from({ length: TIMBRE }, () => 0.5),
  timbreStd: Array.from({ length: TIMBRE }, () => 2),
  style: {
    weights: [0.1, 0.2, 0.2],
    mean: Array.from({ length: STYLE_SIZE }, (_, i) => (i % 7) / 7),
    std: Array.from({ length: STYLE_SIZE }, (_, i) => 1 + (i % 3)),
  },
};

/** Standardised slice of a raw vector, as the fusion sees it. */
function z(
  v: Float32Array,
  mean: readonly number[],
  std: readonly number[],
  from = 0,
  size = v.length,
) {
  return Float32Array.from(
    { length: size },
    (_, d) => (v[from + d]! - mean[from + d]!) / std[from + d]!,
  );
}

describe('fuseEmbedding with style statistics', () => {
  const a = {
    cnn: unit(randomVector(CNN)),
    timbre: randomVector(TIMBRE),
    style: randomVector(STYLE_SIZE),
  };
  const b = {
    cnn: unit(randomVector(CNN)),
    timbre: randomVector(TIMBRE),
    style: randomVector(STYLE_SIZE),
  };
  const fa = fuseEmbedding(a.cnn, a.timbre, fusion, a.style);
  const fb = fuseEmbedding(b.cnn, b.timbre, fusion, b.style);

  it('gives catalogue tracks unit vectors of the announced length', () => {
    expect(fa).toHaveLength(trackVectorSize(CNN, fusion));
    expect(Math.sqrt(dot(fa, fa))).toBeCloseTo(1, 5);
    expect(timbreWeight(fusion)).toBeCloseTo(0.2, 10);
  });

  it('has the weighted sum of the parts’ cosines as its cosine', () => {
    let expected = fusion.weight * cosine(a.cnn, b.cnn);
    expected +=
      timbreWeight(fusion) *
      cosine(
        z(a.timbre, fusion.timbreMean, fusion.timbreStd),
        z(b.timbre, fusion.timbreMean, fusion.timbreStd),
      );
    let from = 0;
    for (const [i, part] of STYLE_PARTS.entries()) {
      const { mean, std, weights } = fusion.style!;
      expected +=
        weights[i]! *
        cosine(z(a.style, mean, std, from, part.size), z(b.style, mean, std, from, part.size));
      from += part.size;
    }
    expect(dot(fa, fb)).toBeCloseTo(expected, 5);
  });

  it('scores a clip against its own track at 1 once scaled, and others on the parts it has', () => {
    const clip = fuseEmbedding(a.cnn, null, fusion, a.style);
    expect(dot(clip, fa) * clipSimilarityScale(fusion)).toBeCloseTo(1, 5);
    const parts = (v: Float32Array) =>
      Float32Array.from([...v.subarray(0, CNN), ...v.subarray(CNN + TIMBRE)]);
    expect(dot(clip, fb) * clipSimilarityScale(fusion)).toBeCloseTo(
      cosine(parts(clip), parts(fb)),
      5,
    );
  });

  it('refuses a vector without the style statistics the model fuses', () => {
    expect(() => fuseEmbedding(a.cnn, a.timbre, fusion)).toThrow(/style statistics/);
  });
});

describe('fuseEmbedding without style statistics (older models)', () => {
  const legacy: FusionParams = {
    weight: 0.7,
    timbreMean: fusion.timbreMean,
    timbreStd: fusion.timbreStd,
  };
  it('compares a clip by its CNN part alone, on the CNN’s scale', () => {
    const cnn = unit(randomVector(CNN));
    const other = unit(randomVector(CNN));
    const track = fuseEmbedding(other, randomVector(TIMBRE), legacy);
    const clip = fuseEmbedding(cnn, null, legacy);
    expect(trackVectorSize(CNN, legacy)).toBe(CNN + TIMBRE);
    expect(dot(clip, track) * clipSimilarityScale(legacy)).toBeCloseTo(cosine(cnn, other), 5);
  });
});

describe('fuseEmbedding with tonality statistics', () => {
  const withTonality: FusionParams = {
    ...fusion,
    weight: 0.25,
    style: { ...fusion.style!, weights: [0.08, 0.17, 0.17] },
    tonality: {
      weight: 0.17,
      mean: Array.from({ length: TONALITY_SIZE }, (_, i) => i / 10),
      std: Array.from({ length: TONALITY_SIZE }, (_, i) => 0.5 + (i % 4)),
      clip: {
        scale: Array.from({ length: TONALITY_SIZE }, () => 0.8),
        offset: Array.from({ length: TONALITY_SIZE }, (_, i) => (i % 2) / 10),
      },
    },
  };
  const a = {
    cnn: unit(randomVector(CNN)),
    timbre: randomVector(TIMBRE),
    style: randomVector(STYLE_SIZE),
    tonality: randomVector(TONALITY_SIZE),
  };
  const b = {
    cnn: unit(randomVector(CNN)),
    timbre: randomVector(TIMBRE),
    style: randomVector(STYLE_SIZE),
    tonality: randomVector(TONALITY_SIZE),
  };
  const fa = fuseEmbedding(a.cnn, a.timbre, withTonality, a.style, a.tonality);
  const fb = fuseEmbedding(b.cnn, b.timbre, withTonality, b.style, b.tonality);
  const { mean, std, weight } = withTonality.tonality!;

  it('appends the tonality part, and the timbre gets what the other parts leave', () => {
    expect(fa).toHaveLength(CNN + TIMBRE + STYLE_SIZE + TONALITY_SIZE);
    expect(trackVectorSize(CNN, withTonality)).toBe(fa.length);
    expect(Math.sqrt(dot(fa, fa))).toBeCloseTo(1, 5);
    expect(timbreWeight(withTonality)).toBeCloseTo(0.16, 10);
  });

  it('adds the tonality cosine, weighted, to the cosine of the rest', () => {
    const tonalityCosine = cosine(z(a.tonality, mean, std), z(b.tonality, mean, std));
    const tail = (v: Float32Array) => v.subarray(v.length - TONALITY_SIZE);
    expect(dot(tail(fa), tail(fb))).toBeCloseTo(weight * tonalityCosine, 5);
    expect(dot(fa.subarray(0, CNN), fb.subarray(0, CNN))).toBeCloseTo(
      0.25 * cosine(a.cnn, b.cnn),
      5,
    );
  });

  it('corrects a clip’s tonality part with the clip lines, not a track’s', () => {
    const clip = fuseEmbedding(a.cnn, null, withTonality, a.style, a.tonality);
    const { scale, offset } = withTonality.tonality!.clip!;
    const corrected = z(a.tonality, mean, std).map((x, d) => scale[d]! * x + offset[d]!);
    const tail = clip.subarray(clip.length - TONALITY_SIZE);
    expect(cosine(tail, corrected)).toBeCloseTo(1, 5);
    expect(Math.sqrt(dot(tail, tail))).toBeCloseTo(Math.sqrt(weight), 5);
  });

  it('refuses a vector without the tonality statistics the model fuses', () => {
    expect(() => fuseEmbedding(a.cnn, a.timbre, withTonality, a.style)).toThrow(/tonality/);
  });
});
