/**
 * `recommend`, `similar`, `evaluate` and `doctor` against a catalogue of six demo tracks (ingested
 * from data/demo/tracks, so that data/demo/labels.csv names them). The query is what a user sends:
 * a 10 s cut of a catalogue track re-encoded as a 24 kbit/s mono Opus voice note.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/index.js';
import { makeOpusCut } from '../helpers/audio.js';
import { hasStackTrace, runCli } from '../helpers/cli.js';
import { DEMO_LABELS_CSV, DEMO_SUBSET, demoTrack, modelDir } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

interface ResultJson {
  rank: number;
  trackId: number;
  title: string | null;
  artist: string | null;
  album: string | null;
  similarity: number;
  confidence: number;
  reason: string;
}

/** Checks the shape and order of --json results and returns their track ids. */
function checkResults(results: readonly ResultJson[]): number[] {
  results.forEach((r, i) => {
    expect(r.rank).toBe(i + 1);
    expect(Number.isInteger(r.trackId)).toBe(true);
    expect(typeof r.title).toBe('string');
    expect(r).toHaveProperty('artist');
    expect(r).toHaveProperty('album');
    expect(r.similarity).toBeGreaterThanOrEqual(-1);
    expect(r.similarity).toBeLessThanOrEqual(1.0001);
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.reason).toMatch(/\S/);
    expect(r.reason).not.toContain('\n');
    if (i > 0) expect(r.similarity).toBeLessThanOrEqual(results[i - 1]!.similarity);
  });
  const ids = results.map((r) => r.trackId);
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

/** Non-empty lines of a stream. */
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('synesthete recommend / similar / evaluate / doctor', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let catalog: string;
  let cut: string;
  /** Track id of every ingested demo file, by file name. */
  const ids = new Map<string, number>();
  const target = 'metal_rock__Metal_madness.ogg';

  beforeAll(async () => {
    tmp = await tempDir('cli-query');
    catalog = path.join(tmp.dir, 'catalog');
    const ingest = await runCli([
      'ingest',
      ...DEMO_SUBSET.map(demoTrack),
      '--catalog',
      catalog,
      '--json',
    ]);
    if (ingest.code !== 0) throw new Error(`ingest failed: ${ingest.stderr}`);
    cut = await makeOpusCut(demoTrack(target), path.join(tmp.dir, 'voice-note.ogg'), {
      startS: 12,
      seconds: 10,
      bitrateKbps: 24,
    });
    // Track ids straight from the catalogue (one open, instead of one CLI run per track).
    const opened = await openCatalog(catalog);
    try {
      for (const name of DEMO_SUBSET) {
        const track = await opened.findBySourcePath(demoTrack(name));
        if (!track) throw new Error(`${name} is not in the catalogue after ingest`);
        ids.set(name, track.id);
      }
    } finally {
      await opened.close();
    }
  });

  afterAll(() => tmp.remove());

  describe('recommend on a 10 s, 24 kbit/s Opus cut of a catalogue track', () => {
    it('names that track as the match and recommends the five others (--json)', async () => {
      const r = await runCli(['recommend', cut, '--catalog', catalog, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(lines(r.stdout)).toHaveLength(1);
      const out = JSON.parse(r.stdout) as {
        clip: string;
        match?: {
          trackId: number;
          title: string;
          score: number;
          method?: string;
          offsetS?: number;
        };
        recommendations: ResultJson[];
      };
      expect(out.clip).toBe(cut);
      expect(out.match?.trackId).toBe(ids.get(target));
      expect(out.match?.title).toBe('Metal madness');
      expect(out.match?.score).toBeGreaterThan(0);
      expect(out.match?.method).toBe('fingerprint');
      expect(typeof out.match?.offsetS).toBe('number');
      expect(out.recommendations).toHaveLength(5);
      const got = checkResults(out.recommendations);
      expect(got).not.toContain(ids.get(target));
      expect(new Set(got)).toEqual(
        new Set(DEMO_SUBSET.filter((n) => n !== target).map((n) => ids.get(n))),
      );
    });

    it('prints the match and numbered results as text', async () => {
      const r = await runCli(['recommend', cut, '--catalog', catalog, '-k', '3']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /this sounds like: Metal madness.* at 0:1[12] .*\d+ landmarks agree\]/,
      );
      expect(r.stdout).toMatch(/^ {2}1\. .+ {2}\[#\d+\]$/m);
      expect(r.stdout).toMatch(/^ {2}3\. /m);
      expect(r.stdout).not.toMatch(/^ {2}4\. /m);
      expect(r.stdout).toMatch(/similarity [\d.-]+ · confidence \d+% · \S/);
    });
  });

  describe('similar', () => {
    it('lists the five other tracks for a track id (--json)', async () => {
      const id = ids.get('ambient_electronic__Nebula.ogg')!;
      const r = await runCli(['similar', String(id), '--catalog', catalog, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        track: { trackId: number; title: string };
        recommendations: ResultJson[];
      };
      expect(out.track.trackId).toBe(id);
      expect(out.recommendations).toHaveLength(5);
      expect(checkResults(out.recommendations)).not.toContain(id);
    });

    it('accepts the path a track was ingested from', async () => {
      const file = demoTrack('fantasy_rpg__town_theme.ogg');
      const r = await runCli(['similar', file, '--catalog', catalog, '-k', '2']);
      expect(r.code, r.stderr).toBe(0);
      const out = lines(r.stdout);
      expect(out[0]).toContain(`[#${ids.get('fantasy_rpg__town_theme.ogg')}]`);
      expect(r.stdout).toMatch(/^ {2}2\. /m);
      expect(r.stdout).not.toMatch(/^ {2}3\. /m);
    });

    it.each([
      ['an unknown id', '99999', /^error: no catalogue track with id 99999$/],
      ['a file not in the catalogue', 'CUT', /^error: .*voice-note\.ogg is not in the catalogue/],
    ])('answers %s with one error line and exit 1', async (_, ref, pattern) => {
      const r = await runCli(['similar', ref === 'CUT' ? cut : ref, '--catalog', catalog]);
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(pattern);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stdout).toBe('');
    });
  });

  it('evaluates leave-one-out precision against data/demo/labels.csv (--json)', async () => {
    const r = await runCli([
      ...['evaluate', '--labels', DEMO_LABELS_CSV, '--label-column', 'label'],
      ...['--catalog', catalog, '--json'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      n: number;
      k: number;
      labelColumn: string;
      excludeSame: string | null;
      precisionAtK: Record<string, number>;
      chance: number;
      perLabel: Record<string, { n: number; precisionAtK: Record<string, number> }>;
      missing: string[];
    };
    expect(report).toMatchObject({ n: 6, k: 5, labelColumn: 'label', excludeSame: null });
    expect(Object.keys(report.precisionAtK).sort()).toEqual(['1', '10', '5']);
    for (const p of Object.values(report.precisionAtK)) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    // Two tracks per label: one same-label candidate among five for every query.
    expect(report.chance).toBeCloseTo(0.2, 6);
    // With five candidates, at most one of the ten slots can hold the same label.
    expect(report.precisionAtK['10']).toBeCloseTo(0.1, 6);
    expect(Object.keys(report.perLabel).sort()).toEqual([
      'ambient_electronic',
      'fantasy_rpg',
      'metal_rock',
    ]);
    for (const entry of Object.values(report.perLabel)) expect(entry.n).toBe(2);
    expect(report.missing).toHaveLength(30);
  });

  it("evaluate --clips scores the excerpts beside the tracks' own answers under the same rules", async () => {
    // -k 2: among the five other tracks, the two nearest are a real choice.
    const run = async (...extra: string[]) => {
      const r = await runCli([
        ...['evaluate', '--labels', DEMO_LABELS_CSV, '--label-column', 'label', '-k', '2'],
        ...['--clips', '--catalog', catalog, '--json', ...extra],
      ]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as {
        precisionAtK: Record<string, number>;
        clips: {
          n: number;
          precisionAtK: number;
          ratioToCatalog: number;
          catalogAnswers: { precisionAtK: number; ratio: number };
          variety: { maxPerArtist: number | null; maxPerAlbum: number | null };
        };
      };
    };
    const capped = await run();
    expect(capped.clips.n).toBe(6);
    expect(capped.clips.variety).toMatchObject({ maxPerArtist: 2, maxPerAlbum: 2 });
    const { precisionAtK: p, catalogAnswers: own } = capped.clips;
    expect(own.precisionAtK).toBeGreaterThan(0);
    expect(own.ratio).toBeCloseTo(p / own.precisionAtK, 9);
    // Without the caps `similar` ranks by cosine alone: its answers are the leave-one-out
    // neighbours, so both figures agree (JSON writes the caps' Infinity as null).
    const uncapped = await run('--no-variety');
    expect(uncapped.clips.variety).toMatchObject({ maxPerArtist: null, maxPerAlbum: null });
    expect(uncapped.clips.catalogAnswers.precisionAtK).toBeCloseTo(
      uncapped.precisionAtK['2'] ?? Number.NaN,
      9,
    );
  });

  it('doctor prints node, ffmpeg, the decoder in use, tfjs backend, model version and catalogue size', async () => {
    const r = await runCli(['doctor', '--catalog', catalog]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { version } = JSON.parse(
      readFileSync(path.join(modelDir(), 'metadata.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(r.stdout).toMatch(
      new RegExp(`^node +${process.versions.node.replace(/\./g, '\\.')}`, 'm'),
    );
    expect(r.stdout).toMatch(/^ffmpeg +\d/m);
    // node-av is installed here: the decoder in use is FFmpeg's libraries on a decode thread.
    expect(r.stdout).toMatch(
      /^decoder +node-av \d+\.\d+\.\d+ \(FFmpeg's libraries on a decode thread\)$/m,
    );
    expect(r.stdout).toMatch(/^tfjs +backend (tensorflow|wasm|cpu)$/m);
    expect(r.stdout).toMatch(/pglite \d+\.\d+/);
    expect(r.stdout).not.toContain('not installed, drizzle');
    expect(r.stdout).toContain(version);
    expect(r.stdout).toMatch(/^catalogue .*: 6 tracks, 0 stale$/m);
    // The Discord voice stack, as @discordjs/voice reports it.
    expect(r.stdout).toMatch(/^voice +@discordjs\/voice dependency report \(Discord \/listen\)$/m);
    expect(r.stdout).toMatch(/- @discordjs\/voice: 0\.(19|[2-9]\d)\./);
    expect(r.stdout).toMatch(/- opusscript: \d/);
    expect(r.stdout).toMatch(/- @snazzah\/davey: \d/);
    expect(r.stdout).toMatch(/^index .*: 6 tracks, \d+ windows/m);
  });
});
