/**
 * The library's clip map: the ridge regression itself on vectors with a known relation, then the
 * whole path on real music — ingest gives demo tracks voice-note views, the engine fits the map on
 * them and moves an unidentified voice note with it.
 */
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, openEngine } from '../../core/engine.js';
import { applyClipMap, CLIP_MAP_DEFAULTS, fitClipMap } from '../../core/library/clip-map.js';
import { pathFraction } from '../../core/library/sample.js';
import { drawVoiceNoteChain, VIEW_LOWPASS_HZ } from '../../core/library/voice-note-view.js';
import { createRng, gaussian } from '../../core/util/random.js';
import { makeOpusCut } from '../helpers/audio.js';
import { DEMO_TRACKS_DIR, demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const unit = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/**
 * Pairs where the track vector is a fixed linear function of the view plus noise: `track =
 * unit(M · view + c + noise)`, M of rank 3, views random unit vectors.
 */
function syntheticPairs(n: number, dim: number, seed: number) {
  const rng = createRng(seed);
  const factors = Array.from({ length: 3 }, () =>
    Float32Array.from({ length: dim }, () => gaussian(rng)),
  );
  const loadings = Array.from({ length: 3 }, () =>
    Float32Array.from({ length: dim }, () => gaussian(rng) / Math.sqrt(dim)),
  );
  const c = Float32Array.from({ length: dim }, () => gaussian(rng) * 0.3);
  const make = () => {
    const view = unit(Float32Array.from({ length: dim }, () => gaussian(rng)));
    const track = new Float32Array(dim);
    for (let k = 0; k < 3; k++) {
      const s = dot(loadings[k]!, view) * 4;
      for (let d = 0; d < dim; d++) track[d]! += s * factors[k]![d]!;
    }
    for (let d = 0; d < dim; d++) track[d]! += c[d]! + 0.05 * gaussian(rng);
    return { view, embedding: unit(track) };
  };
  return { fit: Array.from({ length: n }, make), test: Array.from({ length: 40 }, make) };
}

describe('fitClipMap / applyClipMap', () => {
  it('fits nothing below the fewest pairs', () => {
    const { fit } = syntheticPairs(CLIP_MAP_DEFAULTS.minPairs - 1, 16, 1);
    expect(fitClipMap(fit, 16)).toBeUndefined();
    expect(fitClipMap(fit, 17)).toBeUndefined(); // no pair has that length
  });

  it('moves held-out views much closer to their tracks than they started', () => {
    const { fit, test } = syntheticPairs(120, 48, 2);
    const map = fitClipMap(fit, 48, { lambda: 0.01 })!;
    expect(map.pairs).toBe(120);
    const before = test.reduce((s, p) => s + dot(p.view, p.embedding), 0) / test.length;
    const after =
      test.reduce((s, p) => s + dot(applyClipMap(map, p.view), p.embedding), 0) / test.length;
    expect(before).toBeLessThan(0.5);
    expect(after).toBeGreaterThan(0.9);
  });

  it('keeps only the mean residual under a very large penalty', () => {
    const { fit, test } = syntheticPairs(60, 24, 3);
    const map = fitClipMap(fit, 24, { lambda: 1e9 })!;
    const view = test[0]!.view;
    const expected = unit(view.map((x, d) => x + map.offset[d]!));
    const mapped = applyClipMap(map, view);
    for (const [d, x] of mapped.entries()) expect(x).toBeCloseTo(expected[d]!, 4);
    expect(Math.hypot(...mapped)).toBeCloseTo(1, 5);
  });

  it('refuses a vector of another length', () => {
    const { fit } = syntheticPairs(30, 12, 4);
    const map = fitClipMap(fit, 12)!;
    expect(() => applyClipMap(map, new Float32Array(13))).toThrow(/12-d/);
  });
});

describe('drawVoiceNoteChain / pathFraction', () => {
  it('draws chains inside the phone ranges, reproducibly', () => {
    const a = createRng(9);
    const b = createRng(9);
    for (let i = 0; i < 50; i++) {
      const chain = drawVoiceNoteChain(a);
      expect(drawVoiceNoteChain(b)).toEqual(chain);
      expect(chain.bitrateKbps).toBeGreaterThanOrEqual(16);
      expect(chain.bitrateKbps).toBeLessThanOrEqual(32);
      expect(chain.lowpassHz).toBeGreaterThan(chain.highpassHz);
      expect(chain.lowpassHz).toBeGreaterThanOrEqual(VIEW_LOWPASS_HZ[0]);
      expect(chain.lowpassHz).toBeLessThanOrEqual(VIEW_LOWPASS_HZ[1]);
    }
  });

  it('spreads paths evenly over [0, 1)', () => {
    const xs = Array.from({ length: 2000 }, (_, i) => pathFraction(`/music/track-${i}.ogg`));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter((x) => x < 0.25).length / xs.length).toBeCloseTo(0.25, 1);
    expect(pathFraction('/a.ogg')).toBe(pathFraction('/a.ogg'));
  });
});

describe('the library learns where voice notes belong (real music)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  let plain: Engine;
  let outsider: string;
  const OUTSIDER = 'orchestral_fantasy__northerners.ogg';

  beforeAll(async () => {
    tmp = await tempDir('clip-map');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    // Every demo track but one: enough pairs for a map (≥ CLIP_MAP_DEFAULTS.minPairs).
    const names = (await readdir(DEMO_TRACKS_DIR)).filter((n) => n.endsWith('.ogg')).sort();
    for (const name of names.filter((n) => n !== OUTSIDER).slice(0, 24)) {
      await copyFile(demoTrack(name), path.join(music, name));
    }
    outsider = await makeOpusCut(demoTrack(OUTSIDER), path.join(tmp.dir, 'outsider.ogg'), {
      startS: 10,
      seconds: 10,
    });
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
    await engine.ingest([music], { concurrency: 2 });
    // The same library without views (three tracks suffice to answer).
    const few = path.join(tmp.dir, 'few');
    await mkdir(few);
    for (const name of names.filter((n) => n !== OUTSIDER).slice(0, 3)) {
      await copyFile(demoTrack(name), path.join(few, name));
    }
    plain = await openEngine({ catalog: path.join(tmp.dir, 'plain') });
    await plain.ingest([few], { concurrency: 2, learn: false });
  }, 600_000);

  afterAll(async () => {
    await engine?.close();
    await plain?.close();
    await tmp?.remove();
  });

  it('stores a voice-note view for every track of a small library, none with --no-learn', async () => {
    const version = engine.model.metadata.version;
    expect(await engine.catalog.countClipViews(version)).toBe(24);
    expect(await plain.catalog.countClipViews(version)).toBe(0);
    const pairs = await engine.catalog.clipViews(version, 100);
    expect(pairs).toHaveLength(24);
    for (const { view, embedding } of pairs) {
      expect(view.length).toBe(embedding.length);
      // A view is a clip's vector: no full-band timbre part, so shorter than the unit track vector.
      expect(Math.hypot(...view)).toBeLessThan(0.99);
    }
    // Each view is of its own track: on the whole it points at that track and not at the others.
    // The excerpt is drawn at random (seeded by the file's path), so a single view may land on a
    // quiet intro; the claim is about the library, not every view.
    const own = pairs.map(({ view, embedding }) => dot(view, embedding));
    const others = pairs.flatMap(({ view }, i) =>
      pairs.filter((_, j) => j !== i).map(({ embedding }) => dot(view, embedding)),
    );
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(own)).toBeGreaterThan(0.3);
    expect(mean(others)).toBeLessThan(0.15);
    const ownInTop5 = pairs.filter(
      ({ view }, i) => pairs.filter(({ embedding }) => dot(view, embedding) > own[i]!).length < 5,
    ).length;
    expect(ownInTop5).toBeGreaterThanOrEqual(21);
  });

  it('answers a voice note of a song it does not hold from the mapped vector', async () => {
    const learned = await engine.recommend(outsider, { k: 5 });
    const unlearned = await plain.recommend(outsider, { k: 5 });
    expect(learned.match).toBeUndefined();
    expect(learned.recommendations).toHaveLength(5);
    expect(unlearned.recommendations.length).toBeGreaterThan(0);
    // The mapped query is a unit track-like vector; without a map it is the clip's own, shorter one.
    expect(Math.hypot(...learned.seed!.vector)).toBeCloseTo(1, 4);
    expect(Math.hypot(...unlearned.seed!.vector)).toBeLessThan(0.99);
  });

  it('keeps the fitted map beside the index files, and a reopened engine reads it back', async () => {
    const first = await engine.recommend(outsider, { k: 5 });
    const file = path.join(engine.indexDir, 'clip-map.bin');
    const written = (await stat(file)).mtimeMs;
    await engine.close();
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
    const again = await engine.recommend(outsider, { k: 5 });
    expect(again.seed!.vector).toEqual(first.seed!.vector);
    expect(again.recommendations.map((r) => r.trackId)).toEqual(
      first.recommendations.map((r) => r.trackId),
    );
    // Read, not fitted and written again.
    expect((await stat(file)).mtimeMs).toBe(written);
  });
});
