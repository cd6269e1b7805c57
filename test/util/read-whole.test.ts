/**
 * readWholeFile against Node's own readFile: the same bytes, offset 0, and the same errors.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWholeFile } from '../../core/util/read-whole.js';
import { tempDir } from '../helpers/temp.js';

describe('readWholeFile', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    tmp = await tempDir('read-whole');
  });

  afterAll(async () => {
    await tmp?.remove();
  });

  it.each([0, 1, 4096, 5 * 1024 * 1024 + 17])('reads %i bytes as readFile does', async (size) => {
    const file = path.join(tmp.dir, `f${size}`);
    await writeFile(file, randomBytes(size));
    const got = await readWholeFile(file);
    expect(got.byteOffset).toBe(0);
    expect(got.equals(await readFile(file))).toBe(true);
    // Aligned for the Uint32Array views the landmark index takes of it.
    expect(new Uint32Array(got.buffer, 0, Math.floor(size / 4)).length).toBe(Math.floor(size / 4));
  });

  it('rejects a missing file and a folder as readFile does', async () => {
    await expect(readWholeFile(path.join(tmp.dir, 'absent'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(readWholeFile(tmp.dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
