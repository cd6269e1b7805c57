import { describe, expect, it } from 'vitest';
import type { Descriptors } from '../../core/features/descriptors.js';
import { describeTrack, explainSimilarity } from '../../core/features/reason.js';

function track(overrides: Partial<Descriptors> & { key?: Descriptors['key'] }): Descriptors {
  return {
    tempoBpm: 120,
    tempoConfidence: 0.8,
    key: { tonic: 'A', mode: 'minor', confidence: 0.8 },
    chroma: new Array<number>(12).fill(1 / 12),
    loudnessDb: -14,
    spectralCentroidHz: 2100,
    brightness: 0.1,
    spectralFlatness: 0.02,
    ...overrides,
  };
}

describe('explainSimilarity', () => {
  it('lists what is shared, most salient first', () => {
    const q = track({ loudnessDb: -10 });
    const c = track({ tempoBpm: 122, spectralCentroidHz: 2200, loudnessDb: -20 });
    expect(explainSimilarity(q, c)).toBe(
      'similar tempo (122 vs 120 BPM), same key (A minor), similar brightness',
    );
  });

  it('says "same tempo" when the rounded tempi agree', () => {
    expect(explainSimilarity(track({}), track({ tempoBpm: 120.3 }))).toMatch(
      /^same tempo \(120 BPM\), same key \(A minor\)/,
    );
  });

  it('falls back to timbre with the clearest difference', () => {
    const q = track({ tempoConfidence: 0.1, key: { tonic: 'C', mode: 'major', confidence: 0.2 } });
    const c = track({ spectralCentroidHz: 2900, loudnessDb: -25 });
    expect(explainSimilarity(q, c)).toBe('close timbre, brighter (centroid 2.9 vs 2.1 kHz)');
  });

  it('is never empty', () => {
    const q = track({ tempoBpm: null, key: { tonic: 'C', mode: 'major', confidence: 0 } });
    const c = track({ tempoBpm: null, spectralCentroidHz: 2550, loudnessDb: -30 });
    expect(explainSimilarity(q, c)).toBe('similar timbre');
  });

  it('names related keys and 2:1 tempi', () => {
    const q = track({ tempoBpm: 70, key: { tonic: 'C', mode: 'major', confidence: 0.9 } });
    const c = track({ tempoBpm: 140 });
    const line = explainSimilarity(q, c);
    expect(line).toContain('relative keys (A minor / C major)');
    expect(line).toContain('double-time tempo (140 vs 70 BPM)');
  });

  it('adds a tempo difference when little is shared', () => {
    const q = track({ key: { tonic: 'C', mode: 'major', confidence: 0.1 }, loudnessDb: -30 });
    const c = track({ tempoBpm: 150, spectralCentroidHz: 2150 });
    expect(explainSimilarity(q, c)).toBe('similar brightness, faster (150 vs 120 BPM)');
  });
});

describe('describeTrack', () => {
  it('gives tempo, key and a brightness word', () => {
    expect(describeTrack(track({ spectralCentroidHz: 2500 }))).toBe('120 BPM · A minor · bright');
    expect(describeTrack(track({ spectralCentroidHz: 800 }))).toBe('120 BPM · A minor · dark');
  });

  it('leaves out what is not confident, and is never empty', () => {
    const d = track({
      tempoConfidence: 0.1,
      key: { tonic: 'D', mode: 'major', confidence: 0.2 },
      spectralCentroidHz: 1500,
    });
    expect(describeTrack(d)).toBe('warm');
    expect(describeTrack(track({ tempoBpm: null, loudnessDb: -120 }))).toBe(
      'A minor · near-silent',
    );
  });
});
