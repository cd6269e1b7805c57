/**
 * The clip map saved beside the index files (core/library/clip-map-file.ts) comes back as the map
 * that was fitted — the same moved vectors, bit for bit — only under the key it was saved with,
 * and a damaged or missing file reads as "fit it again".
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClipMap, fitClipMap } from '../../core/library/clip-map.js';
import { readClipMapFile, writeClipMapFile } from '../../core/library/clip-map-file.js';
import { tempDir } from '../helpers/temp.js';
import { normalise, prng } from '../index/vectors.js';

const DIM = 24;

function vector(random: () => number): Float32Array {
  return normalise(Float32Array.from({ length: DIM }, () => random() - 0.5));
}

describe('clip map file', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('clip-map-file');
  });
  afterAll(() => tmp.remove());

  it('reads back the fitted map under its key, and nothing under another', async () => {
    const random = prng(7);
    const pairs = Array.from({ length: 40 }, () => {
      const embedding = vector(random);
      const view = normalise(embedding.map((x) => x + 0.3 * (random() - 0.5)));
      return { view, embedding };
    });
    const map = fitClipMap(pairs, DIM);
    if (!map) throw new Error('expected a map from 40 pairs');
    const file = path.join(tmp.dir, 'clip-map.bin');
    await writeClipMapFile(file, 'version 12', map);
    const read = await readClipMapFile(file, 'version 12');
    expect(read?.map).toEqual(map);
    for (let i = 0; i < 5; i++) {
      const clip = vector(random);
      expect(applyClipMap(read!.map!, clip)).toEqual(applyClipMap(map, clip));
    }
    expect(await readClipMapFile(file, 'version 13')).toBeNull();
    expect(await readClipMapFile(path.join(tmp.dir, 'missing.bin'), 'version 12')).toBeNull();
    // Cut short, or another file altogether: fitted again, not misread.
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 8));
    expect(await readClipMapFile(file, 'version 12')).toBeNull();
    await writeFile(file, 'not a clip map at all');
    expect(await readClipMapFile(file, 'version 12')).toBeNull();
  });

  it('records a catalogue with too few views for a map', async () => {
    const file = path.join(tmp.dir, 'none.bin');
    expect(fitClipMap([], DIM)).toBeUndefined();
    await writeClipMapFile(file, 'version 3', undefined);
    expect(await readClipMapFile(file, 'version 3')).toEqual({ map: undefined });
  });
});
