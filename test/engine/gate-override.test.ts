/**
 * A fingerprint match overrides the music gate: with a gate that calls every clip "not music"
 * (the shipped model with its threshold raised to 1), a voice note of a catalogue track is still
 * answered — the clip is identified by its landmarks — while a voice note of music that is not in
 * the catalogue is refused.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import { openEngine } from '../../core/engine.js';
import { makeOpusCut } from '../helpers/audio.js';
import { demoTrack, modelDir } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const TRACKS = ['metal_rock__Metal_madness.ogg', 'fantasy_rpg__town_theme.ogg'] as const;

describe('the music gate and identification', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  let inCatalogue: string;
  let outsider: string;

  beforeAll(async () => {
    tmp = await tempDir('gate-override');
    const model = path.join(tmp.dir, 'model');
    await mkdir(model);
    for (const file of ['model.json', 'weights.bin']) {
      await copyFile(path.join(modelDir(), file), path.join(model, file));
    }
    const metadata = JSON.parse(await readFile(path.join(modelDir(), 'metadata.json'), 'utf8'));
    metadata.musicGate.threshold = 1;
    await writeFile(path.join(model, 'metadata.json'), JSON.stringify(metadata));
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    inCatalogue = await makeOpusCut(demoTrack(TRACKS[0]), path.join(tmp.dir, 'cut.ogg'), {
      startS: 12,
      seconds: 10,
    });
    outsider = await makeOpusCut(
      demoTrack('electronic__chaos-fog.ogg'),
      path.join(tmp.dir, 'outsider.ogg'),
      { startS: 10, seconds: 10 },
    );
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog'), modelDir: model });
    await engine.ingest([music], { concurrency: 1 });
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await tmp.remove();
  });

  it('answers a clip of a catalogue track whatever the gate says', async () => {
    const result = await engine.recommend(inCatalogue, { k: 1 });
    expect(result.match?.method).toBe('fingerprint');
    expect(result.match?.title ?? '').toMatch(/metal/i);
    expect(result.music?.isMusic).toBe(true);
    expect(result.music?.probability).toBeLessThan(1);
    expect(result.recommendations.length).toBe(1);
  }, 60_000);

  it('refuses music that is not in the catalogue', async () => {
    const result = await engine.recommend(outsider, { k: 1 });
    expect(result.match).toBeUndefined();
    expect(result.music).toMatchObject({ isMusic: false, reason: 'not-music' });
    expect(result.recommendations).toEqual([]);
  }, 60_000);
});
