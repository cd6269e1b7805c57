/**
 * The loudness an analysis reports is the RMS level of all the PCM it analysed: for a catalogue
 * track whose descriptors cover all of it, taken from the descriptors; for a clip, measured before
 * the descriptors for the music gate — the same number either way, on real music.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAudio, CATALOG_ANALYSIS } from '../../core/analysis/analyze.js';
import { decodeAudio } from '../../core/audio/decode.js';
import { loudnessDbfs } from '../../core/features/descriptors.js';
import { profileAnalysis } from '../../core/ingest/profile.js';
import { type EmbeddingModel, loadEmbeddingModel } from '../../core/model/embedder.js';
import { demoTrack } from '../helpers/paths.js';

describe('loudness of an analysis', () => {
  let model: EmbeddingModel;
  beforeAll(async () => {
    model = await loadEmbeddingModel();
  });
  afterAll(() => model.dispose());

  it('is the level of the whole decoded audio, for a catalogue track and for a clip', async () => {
    const file = demoTrack('metal_rock__chaos_god.ogg');
    const decoded = await decodeAudio(file, { sampleRate: model.metadata.features.sampleRate });
    const level = loudnessDbfs(decoded.pcm);
    expect(level).toBeGreaterThan(-40);
    expect(level).toBeLessThan(0);

    const track = await analyzeAudio(file, model, CATALOG_ANALYSIS);
    expect(track.analysedS).toBeCloseTo(decoded.pcm.length / decoded.sampleRate, 6);
    expect(track.loudnessDb).toBe(level);
    expect(track.descriptors.loudnessDb).toBe(level);

    const clip = await analyzeAudio(file, model, { query: true });
    expect(clip.loudnessDb).toBe(level);

    // The fast ingest profile: a 30 s excerpt decoded at 44.1 kHz and halved in process.
    const fast = await analyzeAudio(file, model, {
      ...CATALOG_ANALYSIS,
      ...profileAnalysis('fast', decoded.sourceDurationS),
      timbre: true,
    });
    expect(fast.loudnessDb).toBe(fast.descriptors.loudnessDb);
    expect(Math.abs(fast.loudnessDb - level)).toBeLessThan(0.5);
  });
});
