/**
 * How the catalogue map is drawn, without a catalogue: dots that shrink and fade with their
 * number, the genre legend, where a query lands, and the zoomed inset that shows a query's five
 * when they sit too close to it to tell apart (core/recommend/map-svg.ts, map-layout.ts).
 */
import { describe, expect, it } from 'vitest';
import { placeQuery } from '../../core/recommend/map-layout.js';
import {
  autoColouring,
  colourGroup,
  dotStyle,
  genreColours,
  type MapPoint,
  mapPng,
  mapSvg,
  OTHER_COLOUR,
} from '../../core/recommend/map-svg.js';
import { createRng } from '../../core/util/random.js';

/** `n` points in clusters of ten genres (the first `untagged` without a tag). */
function points(n: number, untagged = 0): MapPoint[] {
  const random = createRng(3);
  return Array.from({ length: n }, (_, i) => {
    const g = i % 12;
    return {
      id: i + 1,
      x: (g % 4) * 10 + random() * 3,
      y: Math.floor(g / 4) * 10 + random() * 3,
      genre: i < untagged ? null : `genre ${g}`,
    };
  });
}

describe('dotStyle', () => {
  it('draws a few dozen tracks large and solid, ten thousand small and faint', () => {
    const area = 740 * 670;
    const few = dotStyle(36, area);
    const many = dotStyle(10_000, area);
    expect(few).toEqual({ radius: 4.5, opacity: 0.85 });
    expect(many.radius).toBeLessThan(2);
    expect(many.opacity).toBeGreaterThan(0.4);
    expect(many.opacity).toBeLessThan(0.55);
    expect(dotStyle(1_000_000, area)).toEqual({ radius: 1.6, opacity: 0.3 });
  });
});

describe('genreColours', () => {
  it('colours the nine commonest tags and counts the rest as other', () => {
    const colours = genreColours(points(120, 5));
    expect(colours.top).toHaveLength(9);
    expect(colours.top[0]?.count).toBeGreaterThanOrEqual(colours.top[8]?.count ?? 0);
    expect(colours.rest).toBe(120 - colours.top.reduce((s, t) => s + t.count, 0));
    expect(colours.colourOf(null)).toBe(OTHER_COLOUR);
    expect(colours.colourOf(colours.top[0]?.genre ?? '')).not.toBe(OTHER_COLOUR);
  });
});

describe('placeQuery', () => {
  const at = new Map<number, readonly [number, number]>([
    [1, [0, 0]],
    [2, [10, 0]],
    [3, [0, 10]],
  ]);

  it("puts a catalogue track at its own place, a clip at its results' weighted mean", () => {
    expect(placeQuery(at, { ownTrackId: 3, results: [{ id: 1, similarity: 0.9 }] })).toEqual([
      0, 10,
    ]);
    expect(
      placeQuery(at, {
        results: [
          { id: 1, similarity: 0.75 },
          { id: 2, similarity: 0.25 },
        ],
      }),
    ).toEqual([2.5, 0]);
    expect(placeQuery(at, { results: [{ id: 9, similarity: 1 }] })).toBeUndefined();
  });
});

describe('mapSvg', () => {
  it('draws one dot per track with the legend, counts with separators', () => {
    const svg = mapSvg(points(10_000));
    expect(svg.match(/<circle /g)?.length).toBe(10_000 + 9 + 1);
    expect(svg).toMatch(/<g fill-opacity="0\.\d+">/);
    expect(svg).toMatch(/\(\d,\d{3}\)/);
    expect(svg).toContain('one dot per track');
  });

  it('rings the five on the map when they are spread out, and zooms in when they are not', async () => {
    const spread = points(300);
    const far = {
      label: 'your clip',
      x: 15,
      y: 5,
      results: [1, 50, 100, 150, 200].map((id) => ({ id, label: `track ${id}` })),
    };
    const svgFar = mapSvg(spread, { query: far });
    expect(svgFar.match(/stroke-dasharray="3 3"/g)?.length).toBe(5);
    expect(svgFar).not.toContain('zoomed');

    // Five neighbours within a hair of the query, among 10,000 tracks.
    const crowd = points(10_000);
    const q = crowd[0] as MapPoint;
    const near = crowd
      .slice(1)
      .sort((a, b) => Math.hypot(a.x - q.x, a.y - q.y) - Math.hypot(b.x - q.x, b.y - q.y))
      .slice(0, 5);
    const svgNear = mapSvg(crowd, {
      query: {
        label: 'your clip',
        x: q.x,
        y: q.y,
        results: near.map((p) => ({ id: p.id, label: `track ${p.id}` })),
      },
    });
    expect(svgNear).toContain('zoomed (the small square)');
    expect(svgNear).toContain('clip-path="url(#zoom)"');
    // The rings and links are drawn once, in the inset, not piled up on the map.
    expect(svgNear.match(/stroke-dasharray="3 3"/g)?.length).toBe(5);
    const png = await mapPng(svgNear);
    expect([...png.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});

describe('colouring by folder', () => {
  it('colours by genre tag when at least half the tracks carry one, else by folder', () => {
    const tagged = (n: number, of: number) =>
      Array.from({ length: of }, (_, i) => ({ genre: i < n ? 'jazz' : null }));
    expect(autoColouring(tagged(2, 4))).toBe('genre');
    expect(autoColouring(tagged(1, 4))).toBe('folder');
    expect(autoColouring(tagged(0, 637))).toBe('folder');
    const track = { genre: 'jazz', sourcePath: '/music/Miles Davis/Kind of Blue/01.flac' };
    expect(colourGroup(track, 'genre')).toBe('jazz');
    expect(colourGroup(track, 'folder')).toBe('Kind of Blue');
    expect(colourGroup({ genre: null, sourcePath: 'C:\\Music\\Album\\a.mp3' }, 'folder')).toBe(
      'Album',
    );
  });

  it('names what the colours are in the legend', () => {
    const byGenre = mapSvg(points(40, 10));
    expect(byGenre).toContain('>genre tag</text>');
    expect(byGenre).toMatch(/>other or untagged \(\d+\)<\/text>/);
    const byFolder = mapSvg(points(40, 10), {
      legend: { title: 'folder', other: 'other folders' },
    });
    expect(byFolder).toContain('>folder</text>');
    expect(byFolder).toMatch(/>other folders \(\d+\)<\/text>/);
    expect(byFolder).not.toContain('genre tag');
  });
});
