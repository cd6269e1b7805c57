/**
 * The Musly harness of the ingest benchmark (bench/musly.ts) drives a `musly` binary as Musly's
 * command-line tool is driven — a new collection with `-N`, then one `-a` over a folder holding a
 * link to every file — counts the files it reports "[OK]", and reports a binary that fails. Musly
 * itself is not installed here: a shell script in its place answers as Musly's tool prints
 * (`Analyzing [1]: … - [OK]`), analysing nothing.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureMusly, muslyRows } from '../../bench/musly.js';
import { DEMO_SUBSET, demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

describe('bench/musly.ts', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let stand: string;
  let log: string;
  beforeAll(async () => {
    tmp = await tempDir('bench-musly');
    stand = path.join(tmp.dir, 'musly');
    log = path.join(tmp.dir, 'calls.log');
    // -N makes the collection; -a DIR answers [OK] for each link to an Ogg file that resolves.
    await writeFile(
      stand,
      [
        '#!/bin/bash',
        `echo "$*" >> ${JSON.stringify(log)}`,
        'if [ "$3" = "-N" ]; then touch "$2"; exit 0; fi',
        'if [ "$3" = "-a" ] && [ -f "$2" ]; then',
        '  i=0; for f in "$4"/*; do i=$((i+1));',
        '    if [ -f "$f" ] && [[ "$f" == *.ogg ]]; then echo "Analyzing [$i]: $f - [OK]";',
        '    else echo "Analyzing [$i]: $f - [FAILED]"; fi',
        `    readlink "$f" >> ${JSON.stringify(log)}`,
        '  done; exit 0; fi',
        'echo "musly: bad call" >&2; exit 3',
        '',
      ].join('\n'),
    );
    await chmod(stand, 0o755);
  });
  afterAll(() => tmp.remove());

  it('creates a collection, analyses a folder of links to the files, and counts what it reports analysed', async () => {
    const files = DEMO_SUBSET.slice(0, 4).map((name) => demoTrack(name));
    const missing = path.join(tmp.dir, 'gone.ogg');
    const m = await measureMusly([...files, missing, files[0]!], stand);
    expect(m.tracks).toBe(6);
    expect(m.analysed).toBe(5); // the missing file's link dangles
    expect(m.wallS).toBeGreaterThan(0);
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls[0]).toMatch(/^-c \S+collection\.musly -N$/);
    expect(calls[1]).toMatch(/^-c \S+collection\.musly -a \S+tracks$/);
    // Each file once, in order, even the same file twice under two links.
    expect(calls.slice(2)).toEqual([...files, missing, files[0]!]);
    const rows = muslyRows(m, 0.05);
    expect(rows.find(([k]) => k.includes('throughput'))?.[1]).toContain('×');
  });

  it('rejects with the binary’s error when it fails', async () => {
    await expect(
      measureMusly([demoTrack(DEMO_SUBSET[0]!)], path.join(tmp.dir, 'no-musly')),
    ).rejects.toThrow(/ENOENT/);
    const failing = path.join(tmp.dir, 'failing');
    await writeFile(failing, '#!/bin/bash\necho "cannot open collection" >&2\nexit 3\n');
    await chmod(failing, 0o755);
    await expect(measureMusly([demoTrack(DEMO_SUBSET[0]!)], failing)).rejects.toThrow(
      /cannot open collection/,
    );
  });
});
