/**
 * Result lists through the engine on real audio: variety (a re-encoded "remaster" and an
 * equalised untagged copy of a demo track are versions of it), genre tags voted by neighbours,
 * genre and duration filters, and several seeds as a set. A temporary PGlite catalogue of eight
 * demo tracks plus the two copies.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../bots/shared/chat-service.js';
import type { ClipInput } from '../../bots/shared/types.js';
import type { Engine } from '../../core/engine.js';
import { openEngine } from '../../core/engine.js';
import { cachedLayout, layOut } from '../../core/recommend/map-layout.js';
import { mapSvg } from '../../core/recommend/map-svg.js';
import { cosine } from '../../core/recommend/variety.js';
import { ffmpeg } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const TRACKS = [
  'metal_rock__armygeddon.ogg',
  'metal_rock__chaos_god.ogg',
  'metal_rock__internal_degeneration.ogg',
  'metal_rock__War_of_freedom.ogg',
  'metal_rock__Metal_madness.ogg',
  'ambient_electronic__Nebula.ogg',
  'ambient_electronic__Awakening.ogg',
  'fantasy_rpg__town_theme.ogg',
] as const;

describe('result lists', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  const id = new Map<string, number>();

  beforeAll(async () => {
    tmp = await tempDir('lists');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    const original = demoTrack('metal_rock__armygeddon.ogg');
    // A tagged version (same title and artist once normalised) and an untagged one (audio only).
    await ffmpeg([
      '-i',
      original,
      '-map_metadata',
      '-1',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      '-metadata',
      'title=Armygeddon - Remastered 2011',
      '-metadata',
      'artist=El Senator',
      '-metadata',
      'genre=metal_rock',
      path.join(music, 'armygeddon-remastered.mp3'),
    ]);
    await ffmpeg([
      '-ss',
      '1',
      '-i',
      original,
      '-map_metadata',
      '-1',
      '-af',
      'volume=3dB,treble=g=3:f=6000',
      '-c:a',
      'libvorbis',
      path.join(music, 'armygeddon-copy.ogg'),
    ]);
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
    await engine.ingest([music]);
    for (const t of await engine.catalog.listTracks()) id.set(path.basename(t.sourcePath), t.id);
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    await tmp?.remove();
  });

  const versions = () => [id.get('armygeddon-remastered.mp3'), id.get('armygeddon-copy.ogg')];

  it('leaves versions of the track out, and lets them in on request', async () => {
    const seed = id.get('metal_rock__armygeddon.ogg') as number;
    const open = await engine.similar(seed, {
      k: 5,
      tags: false,
      variety: { allowVersions: true, maxPerArtist: Infinity, maxPerAlbum: Infinity },
    });
    // Both copies are the original's nearest neighbours when nothing keeps them out.
    expect(
      open.recommendations
        .slice(0, 2)
        .map((r) => r.trackId)
        .sort(),
    ).toEqual(versions().sort());
    const varied = await engine.similar(seed, { k: 5, tags: false });
    const ids = varied.recommendations.map((r) => r.trackId);
    for (const v of versions()) expect(ids).not.toContain(v);
    const perArtist = new Map<string, number>();
    for (const r of varied.recommendations) {
      if (r.artist) perArtist.set(r.artist, (perArtist.get(r.artist) ?? 0) + 1);
    }
    expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(2);
    expect(varied.recommendations).toHaveLength(5);
  });

  it('votes genre tags from the neighbours, for the track and each result', async () => {
    const answer = await engine.similar(id.get('metal_rock__chaos_god.ogg') as number, { k: 3 });
    expect(answer.tags?.genres[0]?.tag).toBe('metal_rock');
    expect(answer.tags?.confidence).toBeGreaterThan(0.5);
    for (const r of answer.recommendations) {
      expect(r.tags?.genres.length).toBeGreaterThan(0);
      const sum = (r.tags?.genres ?? []).reduce((s, g) => s + g.weight, 0);
      expect(sum).toBeLessThanOrEqual(1.0001);
    }
  });

  it('filters by genre tag and duration', async () => {
    const seed = id.get('metal_rock__armygeddon.ogg') as number;
    const only = await engine.similar(seed, { k: 5, filter: { genres: ['Ambient Electronic'] } });
    expect(only.recommendations.map((r) => r.genre)).toEqual([
      'ambient_electronic',
      'ambient_electronic',
    ]);
    const not = await engine.similar(seed, { k: 5, filter: { notGenres: ['metal_rock'] } });
    expect(not.recommendations.length).toBeGreaterThan(0);
    for (const r of not.recommendations) expect(r.genre).not.toBe('metal_rock');
    const long = await engine.similar(seed, { k: 5, filter: { minDurationS: 3600 } });
    for (const r of long.recommendations) expect(r.durationS).toBeNull();
  });

  it('lays the catalogue out in 2-D once per catalogue version, and draws it', async () => {
    const version = engine.model.metadata.version;
    let loads = 0;
    const load = async () => {
      loads++;
      const rows = await engine.catalog.embeddings(version);
      return { ids: rows.map((r) => r.id), vectors: rows.map((r) => r.embedding) };
    };
    const catalogVersion = await engine.catalog.version();
    const first = await cachedLayout(tmp.dir, catalogVersion, version, load);
    const again = await cachedLayout(tmp.dir, catalogVersion, version, load);
    expect([first.cached, again.cached, loads]).toEqual([false, true, 1]);
    expect(again.layout).toEqual(first.layout);
    expect(first.layout.ids).toHaveLength(TRACKS.length + 2);
    for (const [x, y] of first.layout.xy)
      expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    expect(new Set(first.layout.xy.map(([x]) => x.toFixed(3))).size).toBeGreaterThan(1);
    // Seeded: the same vectors give the same picture.
    const { vectors } = await load();
    expect(layOut(vectors)).toEqual(first.layout.xy);
    const svg = mapSvg(
      first.layout.ids.map((tid, i) => ({
        id: tid,
        x: first.layout.xy[i]?.[0] ?? 0,
        y: first.layout.xy[i]?.[1] ?? 0,
        genre: null,
      })),
    );
    expect(svg.match(/<circle /g)?.length).toBe(TRACKS.length + 2 + 1);
  });

  it('answers several seeds as a set, naming the closest seed of each result', async () => {
    const seeds = [
      id.get('metal_rock__chaos_god.ogg') as number,
      id.get('ambient_electronic__Nebula.ogg') as number,
    ];
    const answer = await engine.recommendSet(
      seeds.map((track) => ({ track })),
      { k: 4 },
    );
    expect(answer.seeds.map((s) => s.track?.trackId)).toEqual(seeds);
    const ids = answer.recommendations.map((r) => r.trackId);
    for (const s of seeds) expect(ids).not.toContain(s);
    // Each result names the seed whose catalogue vector is nearest its own.
    const vectors = new Map(
      (await engine.catalog.getTracks([...seeds, ...ids])).map((t) => [t.id, t.embedding]),
    );
    for (const r of answer.recommendations) {
      const v = vectors.get(r.trackId) as Float32Array;
      const sims = seeds.map((s) => cosine(v, vectors.get(s) as Float32Array));
      expect(r.closestSeed).toBe(sims.indexOf(Math.max(...sims)));
    }
  });
});

describe('/mix in the chat service', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;

  beforeAll(async () => {
    tmp = await tempDir('mix');
    const music = path.join(tmp.dir, 'music');
    await mkdir(music);
    for (const name of TRACKS) await copyFile(demoTrack(name), path.join(music, name));
    engine = await openEngine({ catalog: path.join(tmp.dir, 'catalog') });
    await engine.ingest([music]);
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    await tmp?.remove();
  });

  const clip = (name: string, conversation: string): ClipInput => ({
    platform: 'telegram',
    kind: 'audio',
    conversation,
    user: 'u1',
    fileName: name,
    read: () => readFile(demoTrack(name)),
  });

  it('answers the last clips of a conversation as a set, and asks for clips before', async () => {
    const service = createChatService(engine, { spectrogram: false });
    const before = await service.mix?.('telegram:1');
    expect(before?.kind).toBe('ack');
    for (const name of ['metal_rock__chaos_god.ogg', 'ambient_electronic__Nebula.ogg']) {
      expect((await service.handleClip(clip(name, 'telegram:1'))).kind).toBe('results');
    }
    const answer = await service.mix?.('telegram:1');
    if (answer?.kind !== 'results') throw new Error(`expected results, got ${answer?.kind}`);
    expect(answer.heading).toContain('Chaos god — El Senator');
    expect(answer.heading).toContain('Nebula — Max McCracken');
    expect(answer.results.length).toBeGreaterThan(0);
    const seeds = (await engine.catalog.listTracks()).filter((t) =>
      /chaos_god|Nebula/.test(t.sourcePath),
    );
    for (const r of answer.results) {
      expect(seeds.map((t) => t.id)).not.toContain(r.trackId);
      expect([0, 1]).toContain(r.closestSeed);
    }
    // Another conversation has sent nothing.
    expect((await service.mix?.('telegram:2'))?.kind).toBe('ack');
  });

  it("passes a clip's genre filter (Discord's /similar genre:) to the engine", async () => {
    const service = createChatService(engine, { spectrogram: false });
    const answer = await service.handleClip({
      ...clip('metal_rock__chaos_god.ogg', 'discord:9'),
      filter: { genres: ['ambient_electronic'] },
    });
    if (answer.kind !== 'results') throw new Error(`expected results, got ${answer.kind}`);
    const genres = (await engine.catalog.getTracks(answer.results.map((r) => r.trackId))).map(
      (t) => t.genre,
    );
    expect(genres).toEqual(['ambient_electronic', 'ambient_electronic']);
  });

  it('mixes results a person picked (the web chat\'s "+ Mix")', async () => {
    const service = createChatService(engine, { spectrogram: false });
    const tracks = await engine.catalog.listTracks();
    const picked = tracks.filter((t) => /War_of_freedom|Awakening/.test(t.sourcePath));
    const first = await service.addToMix?.('web:s1', picked[0]?.id as number);
    expect(first).toMatchObject({ kind: 'ack' });
    expect(first?.kind === 'ack' && first.text).toMatch(/\(1 of up to 3\)/);
    await service.addToMix?.('web:s1', picked[1]?.id as number);
    const answer = await service.mix?.('web:s1');
    if (answer?.kind !== 'results') throw new Error(`expected results, got ${answer?.kind}`);
    for (const t of picked) expect(answer.results.map((r) => r.trackId)).not.toContain(t.id);
    expect((await service.addToMix?.('web:s1', 999_999))?.kind).toBe('error');
  });
});
