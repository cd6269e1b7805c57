/**
 * Several processes on one embedded (PGlite) catalogue, the three ways a user meets it: `ingest`
 * while `npm start` serves it, and two `ingest` runs started together into an existing and into a
 * fresh catalogue. Each ends in correct data or a clear refusal naming the owner — never a wrong
 * count, never a catalogue that cannot be read.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { type CliResult, hasStackTrace, runCli } from '../helpers/cli.js';
import { DEMO_SUBSET, demoTrack } from '../helpers/paths.js';
import { freePort, startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

/** Source paths in the catalogue at `dir` (opened and closed here: no other process may hold it). */
async function storedPaths(dir: string): Promise<string[]> {
  const catalog = await openCatalog(dir);
  try {
    return (await catalog.listTracks()).map((t) => path.basename(t.sourcePath)).sort();
  } finally {
    await catalog.close();
  }
}

/** A refusal: exit 1, one line naming the owner's PID and the ways out, no stack trace. */
function expectRefused(r: CliResult, ownerPid?: number): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(`in use by PID ${ownerPid ?? '\\d+'} .*--catalog <postgres-url>.* or stop it`),
  );
  expect(hasStackTrace(r.stderr)).toBe(false);
}

describe('one owner at a time on a PGlite catalogue', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const folders: Record<'first' | 'second' | 'third', string> = {
    first: '',
    second: '',
    third: '',
  };
  const names = {
    first: DEMO_SUBSET.slice(0, 2),
    second: DEMO_SUBSET.slice(2, 4),
    third: DEMO_SUBSET.slice(4, 6),
  };

  beforeAll(async () => {
    tmp = await tempDir('catalog-owner');
    for (const key of ['first', 'second', 'third'] as const) {
      folders[key] = path.join(tmp.dir, key);
      await mkdir(folders[key]);
      for (const name of names[key]) await copyFile(demoTrack(name), path.join(folders[key], name));
    }
  });
  afterAll(() => tmp.remove());

  it('refuses `ingest` while `npm start` serves the catalogue, and loses nothing', async () => {
    const catalog = path.join(tmp.dir, 'served');
    const seed = await runCli(['ingest', folders.first, '--catalog', catalog]);
    expect(seed.code, seed.stderr).toBe(0);
    const server = startServer(['--catalog', catalog], {
      WEB_PORT: String(await freePort()),
      WEB_HOST: '127.0.0.1',
      TELEGRAM_BOT_TOKEN: undefined,
      SLACK_BOT_TOKEN: undefined,
      DISCORD_BOT_TOKEN: undefined,
      DATABASE_URL: undefined,
    });
    try {
      await server.waitFor(/running web/);
      const refused = await runCli(['ingest', folders.second, '--catalog', catalog]);
      expectRefused(refused, server.child.pid);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await storedPaths(catalog)).toEqual([...names.first].sort());
    const after = await runCli(['ingest', folders.second, '--catalog', catalog]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/: 4 tracks indexed/);
  });

  for (const fresh of [false, true]) {
    it(`runs two ingests started together into ${fresh ? 'a fresh' : 'an existing'} catalogue: each adds its tracks or is refused`, async () => {
      const catalog = path.join(tmp.dir, fresh ? 'fresh' : 'existing');
      const before: string[] = [];
      if (!fresh) {
        const seed = await runCli(['ingest', folders.first, '--catalog', catalog]);
        expect(seed.code, seed.stderr).toBe(0);
        before.push(...names.first);
      }
      const [a, b] = await Promise.all([
        runCli(['ingest', folders.second, '--catalog', catalog]),
        runCli(['ingest', folders.third, '--catalog', catalog]),
      ]);
      const expected = [...before];
      for (const [r, key] of [
        [a, 'second'],
        [b, 'third'],
      ] as const) {
        if (r.code === 0) expected.push(...names[key]);
        else expectRefused(r);
      }
      // Started together, one of them finds the other holding the catalogue.
      expect([a.code, b.code].sort()).toEqual([0, 1]);
      expect(await storedPaths(catalog)).toEqual(expected.sort());
      const similar = await runCli(['similar', '1', '--catalog', catalog]);
      expect(similar.code, similar.stderr).toBe(0);
    });
  }
});
