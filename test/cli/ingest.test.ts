/**
 * `synesthete ingest` on a folder of six real demo tracks and three broken files, run twice
 * (incremental by content hash), then `recommend` on each broken file: one `error:` line, exit 1.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadFiles, makeBadFiles } from '../helpers/audio.js';
import { type CliResult, hasStackTrace, meaningfulLines, runCli } from '../helpers/cli.js';
import { DEMO_SUBSET, demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

describe('synesthete ingest (folder with good and broken files)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let music: string;
  let catalog: string;
  let bad: BadFiles;
  let first: CliResult;
  let second: CliResult;

  beforeAll(async () => {
    tmp = await tempDir('cli-ingest');
    music = path.join(tmp.dir, 'music');
    catalog = path.join(tmp.dir, 'catalog');
    await mkdir(music);
    for (const name of DEMO_SUBSET) await copyFile(demoTrack(name), path.join(music, name));
    bad = await makeBadFiles(music, demoTrack('electronic__subcities.ogg'));
    first = await runCli(['ingest', music, '--catalog', catalog]);
    second = await runCli(['ingest', music, '--catalog', catalog]);
  });

  afterAll(() => tmp.remove());

  it('adds the six good tracks, reports three unreadable, and exits 0', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^9 files in [\d.]+ s \([\d.]+ s per file\): 6 added, 0 updated, 0 unchanged, 0 reused, 3 unreadable$/m,
    );
    expect(first.stdout).toMatch(/: 6 tracks indexed/);
  });

  it('names each broken file exactly once on stderr, and no good file', () => {
    const lines = meaningfulLines(first.stderr);
    for (const file of Object.values(bad)) {
      const naming = lines.filter((l) => l.includes(file));
      expect(naming, `lines naming ${file}`).toHaveLength(1);
      expect(naming[0]).toMatch(/^skipped /);
    }
    for (const name of DEMO_SUBSET) expect(first.stderr).not.toContain(name);
    expect(hasStackTrace(first.stderr)).toBe(false);
  });

  it('finds nothing to do on a second run: all six unchanged', () => {
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/: 0 added, 0 updated, 6 unchanged, 0 reused, 3 unreadable$/m);
    expect(second.stdout).toMatch(/: 6 tracks indexed/);
  });

  it('prints the summary as JSON with --json', async () => {
    const r = await runCli(['ingest', music, '--catalog', catalog, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown> & {
      failed: Array<{ file: string; code: string; message: string }>;
    };
    expect(summary).toMatchObject({ total: 9, added: 0, updated: 0, unchanged: 6, reused: 0 });
    expect(summary.indexed).toBe(6);
    const codes = Object.fromEntries(summary.failed.map((f) => [f.file, f.code]));
    expect(codes).toEqual({
      [bad.notAudio]: 'E_DECODE',
      [bad.empty]: 'E_INPUT_EMPTY',
      [bad.truncated]: 'E_DECODE',
    });
  });

  it('answers recommend on each broken file with one "error:" line naming it, exit 1', async () => {
    const files = [...Object.values(bad), path.join(music, 'no-such-file.ogg')];
    // One at a time: a PGlite directory is meant for one process at a time.
    const runs: CliResult[] = [];
    for (const file of files) runs.push(await runCli(['recommend', file, '--catalog', catalog]));
    runs.forEach((r, i) => {
      const file = files[i]!;
      expect(r.code, `${file}: ${r.stderr}`).not.toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines, file).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toContain(path.basename(file));
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stdout).toBe('');
    });
  });
});
