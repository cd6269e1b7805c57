import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../../core/ingest/ingest.js';
import { DEMO_TRACKS_DIR } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('hashFile (SHA-256 of a file through reused read buffers)', () => {
  const tracks = readdirSync(DEMO_TRACKS_DIR)
    .filter((name) => name.endsWith('.ogg'))
    .map((name) => path.join(DEMO_TRACKS_DIR, name));
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('hash-file');
  });
  afterAll(() => tmp.remove());

  it('gives each real track its own digest when many are hashed at once', async () => {
    expect(tracks.length).toBeGreaterThanOrEqual(10);
    // All at once: each call must keep its own buffer while others read.
    const digests = await Promise.all(tracks.map((file) => hashFile(file)));
    expect(digests).toEqual(tracks.map((file) => sha256(readFileSync(file))));
    expect(new Set(digests).size).toBe(tracks.length);
  });

  it('hashes a file of several 1 MiB reads, the last one partial', async () => {
    const joined = Buffer.concat(tracks.map((file) => readFileSync(file)));
    expect(joined.length).toBeGreaterThan(3 * 2 ** 20);
    expect(joined.length % 2 ** 20).not.toBe(0);
    const file = path.join(tmp.dir, 'joined.ogg');
    await writeFile(file, joined);
    expect(await hashFile(file)).toBe(sha256(joined));
  });

  it('hashes an empty file as the empty message', async () => {
    const file = path.join(tmp.dir, 'empty.ogg');
    await writeFile(file, '');
    expect(await hashFile(file)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it("rejects with the file system's error for a missing file, refuses a folder, and hashes on after it", async () => {
    await expect(hashFile(path.join(tmp.dir, 'missing.ogg'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(hashFile(path.join(tmp.dir))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const file = tracks[0]!;
    expect(await hashFile(file)).toBe(sha256(readFileSync(file)));
  });
});
