/**
 * The hostile corpus (test/fixtures/hostile/manifest.json) through the built CLI, as a user runs
 * it: `recommend --json` on every hostile file followed by a good clip, against a catalogue of
 * three demo tracks (one `error:` line per refused file, no stack trace, exit 1, the good clip
 * still answered), then `ingest --json` on the corpus (each bad file reported with its code, the
 * rest ingested, tags cleaned). Time and memory are bounded: each run is killed past its limit, and its peak
 * resident memory is sampled.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/index.js';
import { checkHnswFile } from '../../core/index/hnsw-file.js';
import { INDEX_FILES } from '../../core/index/track-index.js';
import { hasStackTrace, meaningfulLines } from '../helpers/cli.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { type MeasuredCliResult, runCliMeasured } from './cli-run.js';
import { type HostileCase, hostileCases, materialiseCorpus, SOURCE_TRACK } from './corpus.js';

const CATALOGUE_TRACKS = [
  SOURCE_TRACK,
  'ambient_electronic__Nebula.ogg',
  'electronic__subcities.ogg',
];
/** Memory bound of one CLI process (the engine with its model takes a few hundred MB). */
const MAX_RSS_BYTES = 1.5 * 1024 ** 3;
/** Generous time bounds: the run is killed past them, and the test then fails. */
const INGEST_LIMIT_MS = 240_000;
const RECOMMEND_LIMIT_MS = 180_000;

/** What a refused clip's message looks like, by code. */
const MESSAGE_BY_CODE: Record<string, RegExp> = {
  E_INPUT_EMPTY: /is empty \(0 bytes\)$/,
  E_DECODE:
    /could not read audio from .+: (not an audio file or corrupt|truncated or corrupt|the video has no audio track)[^\n]*$/,
  E_INPUT_DURATION: /is too (long|short) \(/,
};

/** The CLI's rule for printing a path: control characters shown as "?". */
const printable = (text: string): string => text.replace(/\p{Cc}/gu, '?');

describe('hostile inputs through the CLI (ingest, recommend)', () => {
  const cases = hostileCases();
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let catalog: string;
  let files: Map<string, string>;
  let goodClip: string;
  let ingest: MeasuredCliResult;
  let recommend: MeasuredCliResult;

  beforeAll(async () => {
    tmp = await tempDir('hostile-cli');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of CATALOGUE_TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    files = await materialiseCorpus(path.join(tmp.dir, 'corpus'), path.join(tmp.dir, 'work'));
    goodClip = path.join(tmp.dir, 'work', 'source.ogg');
    catalog = path.join(tmp.dir, 'catalog');
    // The catalogue first holds only the demo tracks: a hostile file that were already in it
    // would be recognised as itself.
    const seed = await runCliMeasured(['ingest', music, '--catalog', catalog], INGEST_LIMIT_MS);
    if (seed.code !== 0) throw new Error(`ingest of the demo tracks failed: ${seed.stderr}`);
    recommend = await runCliMeasured(
      ['recommend', '--json', ...cases.map((c) => files.get(c.id) as string), goodClip].concat([
        '--catalog',
        catalog,
      ]),
      RECOMMEND_LIMIT_MS,
    );
    ingest = await runCliMeasured(
      ['ingest', path.join(tmp.dir, 'corpus'), '--catalog', catalog, '--json', '-j', '2'],
      INGEST_LIMIT_MS,
    );
  });
  afterAll(() => tmp?.remove());

  it('ingest reports each bad file with its code and adds the others, within bounds', () => {
    expect(ingest.killed).toBe(false);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.peakRssBytes).toBeLessThan(MAX_RSS_BYTES);
    expect(hasStackTrace(ingest.stderr)).toBe(false);
    const summary = JSON.parse(ingest.stdout) as {
      added: number;
      failed: Array<{ file: string; code: string; message: string }>;
    };
    const codeOf = new Map(summary.failed.map((f) => [f.file, f.code]));
    for (const c of cases) {
      const file = files.get(c.id) as string;
      expect(codeOf.get(file) ?? 'added', `${c.id} (${c.what})`).toBe(c.ingest);
    }
    for (const f of summary.failed) expect(f.message).not.toMatch(/[\n\r]/);
    const added = cases.filter((c) => c.ingest === 'added').length;
    expect(summary.added).toBe(added);
    // One stderr line per refused file, whatever its name holds.
    const skipped = meaningfulLines(ingest.stderr).filter((l) => l.startsWith('skipped '));
    expect(skipped).toHaveLength(summary.failed.length);
    for (const line of skipped) expect(line).not.toMatch(/\p{Cc}/u);
  });

  it('stores tags cleaned: no control characters, at most 200 characters', async () => {
    const opened = await openCatalog(catalog);
    try {
      for (const id of ['huge-title', 'binary-title', 'hostile-name']) {
        const track = await opened.findBySourcePath(files.get(id) as string);
        expect(track, id).toBeDefined();
        const title = track?.title ?? '';
        expect(title.length, id).toBeGreaterThan(0);
        expect(title.length, id).toBeLessThanOrEqual(200);
        expect(title, id).not.toMatch(/\p{Cc}/u);
      }
    } finally {
      await opened.close();
    }
  });

  it('recommend gives each refused file one error line and answers the rest, then the good clip', () => {
    process.stderr.write(
      `[hostile-cli] recommend: ${cases.length + 1} clips in ${(recommend.ms / 1000).toFixed(1)} s, peak RSS ${(recommend.peakRssBytes / 2 ** 20).toFixed(0)} MiB; ingest: ${(ingest.ms / 1000).toFixed(1)} s, peak RSS ${(ingest.peakRssBytes / 2 ** 20).toFixed(0)} MiB\n`,
    );
    expect(recommend.killed).toBe(false);
    expect(recommend.code).toBe(1);
    expect(recommend.peakRssBytes).toBeLessThan(MAX_RSS_BYTES);
    expect(hasStackTrace(recommend.stderr)).toBe(false);
    const errorLines = recommend.stderr.split('\n').filter((l) => l !== '');
    const refused = cases.filter((c): c is HostileCase & { code: string } => c.code !== undefined);
    expect(errorLines).toHaveLength(refused.length);
    refused.forEach((c, i) => {
      const line = errorLines[i] as string;
      expect(line, c.id).toMatch(/^error: /);
      expect(line, c.id).not.toMatch(/\p{Cc}/u);
      expect(line, c.id).toContain(printable(files.get(c.id) as string));
      expect(line, c.id).toMatch(MESSAGE_BY_CODE[c.code] as RegExp);
    });

    const answers = recommend.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map(
        (l) =>
          JSON.parse(l) as {
            clip: string;
            match?: { title: string };
            music?: { isMusic: boolean };
            recommendations: unknown[];
          },
      );
    const answered = cases.filter((c) => c.answer !== undefined);
    expect(answers.map((a) => a.clip)).toEqual([...answered.map((c) => files.get(c.id)), goodClip]);
    answered.forEach((c, i) => {
      const a = answers[i];
      if (c.answer === 'not-music') {
        expect(a?.music?.isMusic, c.id).toBe(false);
      } else {
        expect(a?.match?.title, c.id).toBe('Metal madness');
        expect(a?.recommendations.length, c.id).toBeGreaterThan(0);
      }
    });
    const last = answers.at(-1);
    expect(last?.match?.title).toBe('Metal madness');
    expect(last?.recommendations.length).toBeGreaterThan(0);
  });

  it('detects a corrupted or deleted index at start and rebuilds it from the catalogue', async () => {
    const indexDir = path.join(catalog, 'index');
    const sidecar = async () =>
      JSON.parse(await readFile(path.join(indexDir, INDEX_FILES.sidecar), 'utf8')) as {
        builtAt: string;
        dim: number;
        indexedTracks: number;
        projection?: { dim: number };
      };
    const damages: Array<[string, () => Promise<void>]> = [
      [
        'overwritten',
        () => writeFile(path.join(indexDir, INDEX_FILES.tracks), 'garbage'.repeat(99)),
      ],
      [
        'truncated',
        async () => {
          const bytes = await readFile(path.join(indexDir, INDEX_FILES.windows));
          await writeFile(path.join(indexDir, INDEX_FILES.windows), bytes.subarray(0, 1000));
        },
      ],
      [
        'full vectors truncated',
        async () => {
          const bytes = await readFile(path.join(indexDir, INDEX_FILES.trackRows));
          await writeFile(path.join(indexDir, INDEX_FILES.trackRows), bytes.subarray(0, 4000));
        },
      ],
      ['deleted', () => rm(indexDir, { recursive: true, force: true })],
    ];
    const ask = async (what: string) => {
      const r = await runCliMeasured(
        ['recommend', '--json', goodClip, '--catalog', catalog],
        RECOMMEND_LIMIT_MS,
      );
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      const answer = JSON.parse(r.stdout) as {
        match?: { trackId: number };
        recommendations: Array<{ trackId: number }>;
      };
      return { match: answer.match?.trackId, ids: answer.recommendations.map((t) => t.trackId) };
    };
    // The answer of an intact index is what every rebuilt one must give again. (Four tracks of
    // the catalogue are now cuts of the same music, so no single one may be named as the match.)
    const intact = await ask('intact');
    expect(intact.ids.length).toBeGreaterThan(0);
    for (const [what, damage] of damages) {
      const before = await sidecar().catch(() => undefined);
      await damage();
      expect(await ask(what), what).toEqual(intact);
      const rebuilt = await sidecar();
      expect(rebuilt.builtAt, what).not.toBe(before?.builtAt);
      // The track graph holds the projected vectors (the full ones are in the row file).
      expect(rebuilt.projection?.dim, what).toBe(256);
      const info = checkHnswFile(path.join(indexDir, INDEX_FILES.tracks), rebuilt.projection!.dim);
      expect(info.count, what).toBe(rebuilt.indexedTracks);
    }
  });
});
