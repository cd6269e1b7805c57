/**
 * Ingest never follows a path out of the folders it was given unless told to: symbolic links to
 * files or folders elsewhere (e.g. /etc, another user's music) are reported and skipped, links
 * inside are honoured, broken links and link cycles are harmless. `--follow-symlinks` follows the
 * outside ones.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAudioFiles } from '../../core/ingest/ingest.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

describe('ingest and symbolic links', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let music: string;
  let secret: string;
  const p = (...parts: string[]) => path.join(music, ...parts);

  beforeAll(async () => {
    tmp = await tempDir('symlinks');
    music = path.join(tmp.dir, 'music');
    const elsewhere = path.join(tmp.dir, 'elsewhere');
    await mkdir(path.join(music, 'sub'), { recursive: true });
    await mkdir(path.join(elsewhere, 'album'), { recursive: true });
    await writeFile(p('a.ogg'), 'a');
    await writeFile(p('sub', 'b.ogg'), 'b');
    secret = path.join(elsewhere, 'secret.ogg');
    await writeFile(secret, 's');
    await writeFile(path.join(elsewhere, 'album', 'c.ogg'), 'c');
    await symlink(p('sub', 'b.ogg'), p('inside-link.ogg'));
    await symlink(secret, p('outside-link.ogg'));
    await symlink(path.join(elsewhere, 'album'), p('outside-folder'));
    await symlink(path.join(tmp.dir, 'nowhere.ogg'), p('broken.ogg'));
    await symlink(music, p('sub', 'loop'));
    // A link outside that leads back in: followed, it must not walk the music twice.
    await symlink(music, path.join(elsewhere, 'album', 'back'));
  });
  afterAll(() => tmp.remove());

  it('skips and reports links leading outside the given folder by default', async () => {
    const { files, outside } = await collectAudioFiles([music]);
    expect(files).toEqual([p('a.ogg'), p('inside-link.ogg'), p('sub', 'b.ogg')]);
    expect(outside).toEqual([p('broken.ogg'), p('outside-folder'), p('outside-link.ogg')]);
  });

  it('follows them with followSymlinks, walking each real folder once', async () => {
    const { files, outside } = await collectAudioFiles([music], { followSymlinks: true });
    expect(files).toEqual([
      p('a.ogg'),
      p('inside-link.ogg'),
      p('outside-folder', 'c.ogg'),
      p('outside-link.ogg'),
      p('sub', 'b.ogg'),
    ]);
    expect(outside).toEqual([p('broken.ogg')]);
  });

  it('the CLI reports the skipped links and offers --follow-symlinks', async () => {
    const help = await runCli(['ingest', '--help']);
    expect(help.stdout).toContain('--follow-symlinks');
    // Ingesting reads nothing outside: the skipped links are named, the secret file never is
    // (the three tiny files inside are not audio and are reported unreadable).
    const r = await runCli(['ingest', music, '--catalog', path.join(tmp.dir, 'catalog')]);
    const skippedOutside = r.stderr
      .split('\n')
      .filter((l) => l.endsWith('link points outside the given folders'));
    expect(skippedOutside).toHaveLength(3);
    expect(r.stderr).not.toContain(secret);
    expect(r.stdout).toMatch(/^3 files in /m);
  });
});
