/**
 * A clip analysed with the engine's second core (the built engine, whose worker thread
 * fingerprints it, measures the spectral half of its descriptors, and computes the style statistics
 * and the music gate's descriptors of its spectrogram) gives exactly what the same analysis gives on one thread: descriptors (in the same order),
 * loudness, music verdict, embeddings and fingerprint — on the demo voice note and a voice-note
 * cut of a demo track.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as AnalyzeModule from '../../core/analysis/analyze.js';
import { analyzeAudio } from '../../core/analysis/analyze.js';
import type * as EmbedderModule from '../../core/model/embedder.js';
import { loadEmbeddingModel } from '../../core/model/embedder.js';
import { makeOpusCut } from '../helpers/audio.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const built = (...parts: string[]) => path.join(REPO_ROOT, 'dist', 'core', ...parts);

describe('analysis on two threads', () => {
  it('equals the analysis on one thread, value for value', async () => {
    // The TypeScript modules here find no compiled worker (one thread); the built ones do.
    const twoThreads = (await import(built('analysis', 'analyze.js'))) as typeof AnalyzeModule;
    const builtEmbedder = (await import(built('model', 'embedder.js'))) as typeof EmbedderModule;
    const second = (await import(built('fingerprint', 'off-thread.js'))) as {
      secondCoreAvailable(): boolean;
    };
    expect(second.secondCoreAvailable()).toBe(true);
    const model = await loadEmbeddingModel();
    const builtModel = await builtEmbedder.loadEmbeddingModel();
    const temp = await tempDir('synesthete-second-core-');
    const cut = await makeOpusCut(
      demoTrack('metal_rock__chaos_god.ogg'),
      path.join(temp.dir, 'cut.ogg'),
      { startS: 8, seconds: 15 },
    );
    try {
      for (const clip of [path.join(REPO_ROOT, 'data', 'demo', 'queries', 'voice-note.ogg'), cut]) {
        const bytes = new Uint8Array(await readFile(clip));
        const options = { query: true, fingerprint: true } as const;
        const one = await analyzeAudio(bytes, model, options);
        const two = await twoThreads.analyzeAudio(bytes, builtModel, options);
        expect(JSON.stringify(two.descriptors)).toBe(JSON.stringify(one.descriptors));
        expect(two.loudnessDb).toBe(one.loudnessDb);
        expect(two.music).toEqual(one.music);
        expect(Array.from(two.embedding.windowEmbeddings)).toEqual(
          Array.from(one.embedding.windowEmbeddings),
        );
        expect(Array.from(two.vector)).toEqual(Array.from(one.vector));
        expect(Array.from(two.fingerprint!.hashes)).toEqual(Array.from(one.fingerprint!.hashes));
        expect(Array.from(two.fingerprint!.times)).toEqual(Array.from(one.fingerprint!.times));
      }
    } finally {
      model.dispose();
      builtModel.dispose();
      await temp.remove();
    }
  });
});
