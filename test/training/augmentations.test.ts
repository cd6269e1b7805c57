/**
 * The augmentation config: draws stay inside AUDIO_AUGMENTATIONS and are reproducible; the noise
 * bank renders sox noise and espeak-ng speech that really is there (not silence).
 */
import { describe, expect, it } from 'vitest';
import { voiceNoteFilter } from '../../core/audio/voice-note.js';
import { createRng } from '../../core/util/random.js';
import { AUDIO_AUGMENTATIONS, drawAugmentation } from '../../training/augmentations.js';
import { soxNoise } from '../../training/noise-bank.js';
import { speak } from '../../training/speech.js';

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('drawAugmentation', () => {
  it('draws every parameter inside AUDIO_AUGMENTATIONS, reproducibly for a seed', () => {
    const a = AUDIO_AUGMENTATIONS;
    const rng = createRng(5);
    const kinds = new Set<string>();
    let pitched = 0;
    for (let i = 0; i < 300; i++) {
      const { chain, noiseKind } = drawAugmentation(rng);
      expect(chain.bitrateKbps).toBeGreaterThanOrEqual(a.reencode.bitrateKbps[0]);
      expect(chain.bitrateKbps).toBeLessThanOrEqual(a.reencode.bitrateKbps[1]);
      expect(chain.highpassHz).toBeGreaterThanOrEqual(a.bandLimit.highpassHz[0]);
      expect(chain.lowpassHz).toBeLessThanOrEqual(a.bandLimit.lowpassHz[1]);
      expect(chain.highpassHz).toBeLessThan(chain.lowpassHz);
      expect(chain.snrDb === null).toBe(noiseKind === null);
      if (chain.snrDb !== null) {
        expect(chain.snrDb).toBeGreaterThanOrEqual(a.noise.snrDb[0]);
        expect(chain.snrDb).toBeLessThanOrEqual(a.noise.snrDb[1]);
      }
      expect(chain.gainDb).toBeGreaterThanOrEqual(a.gainDb[0]);
      expect(chain.gainDb).toBeLessThanOrEqual(a.gainDb[1]);
      expect(Math.abs(chain.pitchSemitones ?? 0)).toBeLessThanOrEqual(1);
      expect(chain.tempoFactor ?? 1).toBeGreaterThanOrEqual(a.tempo.factor[0]);
      expect(chain.tempoFactor ?? 1).toBeLessThanOrEqual(a.tempo.factor[1]);
      if (noiseKind) kinds.add(noiseKind);
      if (chain.pitchSemitones) pitched++;
      expect(voiceNoteFilter(chain)).toMatch(/highpass=f=\d+,lowpass=f=\d+,/);
    }
    expect([...kinds].sort()).toEqual(['brown', 'chatter', 'hum', 'pink', 'white']);
    expect(pitched / 300).toBeGreaterThan(0.15);
    expect(drawAugmentation(createRng(9))).toEqual(drawAugmentation(createRng(9)));
  });
});

describe('noise bank sources', () => {
  it('renders sox noise of the asked length', async () => {
    const brown = await soxNoise('brown', 2, 22_050, 0);
    expect(brown.length).toBeGreaterThan(1.9 * 22_050);
    expect(rms(brown)).toBeGreaterThan(0.01);
    expect(brown.every(Number.isFinite)).toBe(true);
  });

  it('speaks a sentence with espeak-ng', async () => {
    const pcm = await speak('the quick brown fox', 'en+f3', 160, 50, 16_000);
    expect(pcm.length / 16_000).toBeGreaterThan(0.5);
    expect(pcm.length / 16_000).toBeLessThan(5);
    expect(rms(pcm)).toBeGreaterThan(0.01);
  });
});
