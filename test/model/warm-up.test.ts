/** The CNN's warm-up pass leaves nothing behind: a real clip embeds the same after it. */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { loadEmbeddingModel } from '../../core/model/embedder.js';
import { warmUpModel } from '../../core/model/warm-up.js';
import { demoTrack } from '../helpers/paths.js';

describe('warmUpModel', () => {
  it('changes nothing a real clip embeds to', async () => {
    const model = await loadEmbeddingModel();
    try {
      const { features, window } = model.metadata;
      const { pcm } = await decodeAudio(demoTrack('metal_rock__chaos_god.ogg'), {
        sampleRate: features.sampleRate,
        maxAnalysedS: 15,
      });
      const spectrogram = computeLogMel(pcm, features);
      const embed = () => model.embedSpectrograms([spectrogram], 64, window.queryHopFrames);
      const before = embed();
      warmUpModel(model);
      const after = embed();
      expect(after.windowCount).toBeGreaterThan(8);
      expect(Array.from(after.windowEmbeddings)).toEqual(Array.from(before.windowEmbeddings));
      expect(Array.from(after.embedding)).toEqual(Array.from(before.embedding));
    } finally {
      model.dispose();
    }
  });
});
