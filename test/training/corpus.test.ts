import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCorpusManifest, scanCorpusFolder } from '../../training/corpus.js';

const demo = path.resolve('data/demo/tracks');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'synesthete-corpus-'));
  await mkdir(path.join(dir, 'album a'), { recursive: true });
  await mkdir(path.join(dir, 'album b', 'disc 1'), { recursive: true });
  await copyFile(
    path.join(demo, 'electronic__subcities.ogg'),
    path.join(dir, 'album a', 'one.ogg'),
  );
  await copyFile(
    path.join(demo, 'fantasy_rpg__town_theme.ogg'),
    path.join(dir, 'album b', 'disc 1', 'two.ogg'),
  );
  await copyFile(path.join(demo, 'game_platformer__fortress.ogg'), path.join(dir, 'loose.ogg'));
  await writeFile(path.join(dir, 'notes.txt'), 'not audio');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('training corpus', () => {
  it('groups a music folder by its top-level sub-folders and skips non-audio files', async () => {
    const items = await scanCorpusFolder(dir);
    const byName = Object.fromEntries(items.map((i) => [path.basename(i.file), i.group]));
    expect(byName).toEqual({ 'one.ogg': 'album a', 'two.ogg': 'album b', 'loose.ogg': 'library' });
  });

  it('reads a fetch-corpus manifest with paths relative to it, leaving out excluded packages', async () => {
    const manifest = path.join(dir, 'manifest.csv');
    await writeFile(
      manifest,
      'file,package,duration_s,license_file\n"album a/one.ogg",pkg-a,30.0,"x"\n"album b/disc 1/two.ogg",pkg-b,30.0,"y"\n',
    );
    const items = await readCorpusManifest(manifest, ['pkg-b']);
    expect(items).toEqual([{ file: path.join(dir, 'album a', 'one.ogg'), group: 'pkg-a' }]);
  });

  it('says which file is missing', async () => {
    await expect(readCorpusManifest(path.join(dir, 'nope.csv'))).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});
