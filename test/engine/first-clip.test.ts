/**
 * `openEngine({ firstClip })`: the CLI's `recommend` has the clip analysed while the catalogue
 * opens. The answer must be the one an engine without it gives, and the errors the same, in the
 * same order (an empty catalogue before a bad clip).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, openEngine } from '../../core/engine.js';
import { expectCode } from '../audio/helpers.js';
import { makeOpusCut } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const TRACKS = [
  'metal_rock__Metal_madness.ogg',
  'ambient_electronic__Nebula.ogg',
  'fantasy_rpg__town_theme.ogg',
  'electronic__chaos-fog.ogg',
] as const;

describe('openEngine with firstClip', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let catalog: string;
  let cut: string;
  let outsider: string;

  beforeAll(async () => {
    tmp = await tempDir('first-clip');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    cut = await makeOpusCut(demoTrack(TRACKS[2]), path.join(tmp.dir, 'cut.ogg'), {
      startS: 12,
      seconds: 10,
    });
    outsider = await makeOpusCut(
      demoTrack('orchestral_fantasy__northerners.ogg'),
      path.join(tmp.dir, 'outsider.ogg'),
      { startS: 10, seconds: 10 },
    );
    catalog = path.join(tmp.dir, 'catalog');
    const ingesting = await openEngine({ catalog });
    try {
      await ingesting.ingest([music], { concurrency: 1, learn: false });
    } finally {
      await ingesting.close();
    }
  });

  afterAll(async () => {
    await tmp?.remove();
  });

  /** Opens an engine on the catalogue, runs `use`, closes it. */
  async function withEngine<T>(
    options: { firstClip?: string; catalog?: string },
    use: (engine: Engine) => Promise<T>,
  ): Promise<T> {
    const engine = await openEngine({ catalog, prestart: true, ...options });
    try {
      return await use(engine);
    } finally {
      await engine.close();
    }
  }

  it('answers the first clip, and the next, as an engine without it does', async () => {
    const answers = (firstClip?: string) =>
      withEngine(firstClip ? { firstClip } : {}, async (engine) => [
        await engine.recommend(cut, { k: 3 }),
        await engine.recommend(outsider, { k: 3 }),
      ]);
    const early = await answers(cut);
    const plain = await answers();
    expect(early[0]!.match?.title).toBe(plain[0]!.match?.title);
    expect(early[0]!.match?.method).toBe('fingerprint');
    for (const i of [0, 1]) {
      const got = early[i]!.recommendations;
      const want = plain[i]!.recommendations;
      expect(got.map((r) => r.trackId)).toEqual(want.map((r) => r.trackId));
      got.forEach((r, j) => {
        expect(r.similarity).toBeCloseTo(want[j]!.similarity, 6);
      });
      expect(got.length).toBeGreaterThan(0);
    }
  });

  it('analyses a clip other than the first one it was told of', async () => {
    const result = await withEngine({ firstClip: cut }, (engine) =>
      engine.recommend(outsider, { k: 2 }),
    );
    expect(result.match).toBeUndefined();
    expect(result.recommendations).toHaveLength(2);
  });

  it('reports a first clip that is not audio when it is asked for, and goes on', async () => {
    const junk = path.join(tmp.dir, 'junk.ogg');
    await writeFile(junk, 'this is not a recording, only text with an .ogg name\n'.repeat(50));
    await withEngine({ firstClip: junk }, async (engine) => {
      await expectCode(engine.recommend(junk), 'E_DECODE');
      expect((await engine.recommend(cut, { k: 1 })).recommendations).toHaveLength(1);
    });
  });

  it('still reports an empty catalogue before anything wrong with the clip', async () => {
    const empty = path.join(tmp.dir, 'empty-catalog');
    const junk = path.join(tmp.dir, 'junk2.ogg');
    await writeFile(junk, 'not audio\n'.repeat(100));
    await withEngine({ catalog: empty, firstClip: junk }, async (engine) => {
      await expectCode(engine.recommend(junk), 'E_EMPTY_CATALOG');
    });
  });
});
