/** Variety rules of a result list (core/recommend/variety.ts) and the names results are shown by. */
import { describe, expect, it } from 'vitest';
import { answerNames, readableFileName, trackName } from '../../core/recommend/names.js';
import {
  normaliseName,
  normaliseTitle,
  pickVaried,
  type VarietyCandidate,
  versionKey,
} from '../../core/recommend/variety.js';

describe('normaliseTitle', () => {
  it('strips version marks, featuring credits, case and punctuation', () => {
    expect(normaliseTitle('Hey Jude - Remastered 2015')).toBe('hey jude');
    expect(normaliseTitle('Hey Jude (Live)')).toBe('hey jude');
    expect(normaliseTitle('HEY JUDE [Remastered 2011]')).toBe('hey jude');
    expect(normaliseTitle('Hey, Jude! (feat. Someone)')).toBe('hey jude');
    expect(normaliseTitle('Hey Jude feat. Someone Else')).toBe('hey jude');
    expect(normaliseTitle('Héy Jüde (2009)')).toBe('hey jude');
  });

  it('keeps words that make another song', () => {
    expect(normaliseTitle('Hey Jude (Part 2)')).toBe('hey jude part 2');
    expect(normaliseTitle('Love - Hate')).toBe('love hate');
    expect(normaliseTitle(null)).toBe('');
  });

  it('matches artists loosely', () => {
    expect(normaliseName('The Beatles')).toBe(normaliseName('beatles'));
    expect(normaliseName('Simon & Garfunkel')).toBe(normaliseName('Simon and Garfunkel'));
    expect(versionKey({ title: 'Yesterday (Live)', artist: 'The Beatles' })).toBe(
      versionKey({ title: 'yesterday', artist: 'Beatles' }),
    );
    expect(versionKey({ title: null, artist: 'Beatles' })).toBeUndefined();
  });
});

const t = (
  trackId: number,
  title: string,
  artist: string | null,
  album: string | null = null,
  vector?: number[],
): VarietyCandidate => ({
  trackId,
  title,
  artist,
  album,
  ...(vector ? { vector: Float32Array.from(vector) } : {}),
});

describe('pickVaried', () => {
  const ranked = [
    t(1, 'Song A', 'X', 'One'),
    t(2, 'Song A (Live)', 'X', 'Live at Y'),
    t(3, 'Song B', 'X', 'One'),
    t(4, 'Song C', 'X', 'Two'),
    t(5, 'Song D', 'Z', 'One'),
    t(6, 'Song E', 'Z', 'Three'),
    t(7, 'Song F', 'W', 'Four'),
  ];

  it('drops versions and caps artists and albums by default', () => {
    // 2 is a version of 1; 4 is X's third and 5 album One's third: held back, then 4 fills.
    expect(pickVaried(ranked, 5).map((c) => c.trackId)).toEqual([1, 3, 4, 6, 7]);
    expect(pickVaried(ranked, 4).map((c) => c.trackId)).toEqual([1, 3, 6, 7]);
  });

  it('fills from held-back candidates when too few remain, never with versions', () => {
    expect(pickVaried(ranked.slice(0, 5), 5).map((c) => c.trackId)).toEqual([1, 3, 4, 5]);
  });

  it('changes with the options', () => {
    const open = { allowVersions: true, maxPerArtist: Infinity, maxPerAlbum: Infinity };
    expect(pickVaried(ranked, 5, open).map((c) => c.trackId)).toEqual([1, 2, 3, 4, 5]);
    // One per artist first (1, 5, 7), then the held-back in rank order fill the list.
    expect(pickVaried(ranked, 5, { maxPerArtist: 1 }).map((c) => c.trackId)).toEqual([
      1, 3, 4, 5, 7,
    ]);
  });

  it('takes near-identical audio for a version, and versions of the query too', () => {
    const audio = [
      t(1, 'Untitled 1', null, null, [1, 0, 0]),
      t(2, 'Untitled 2', null, null, [0.99, 0.05, 0]),
      t(3, 'Untitled 3', null, null, [0.6, 0.8, 0]),
    ];
    expect(pickVaried(audio, 3).map((c) => c.trackId)).toEqual([1, 3]);
    expect(pickVaried(audio, 3, { sameAudioCosine: 0.999 }).map((c) => c.trackId)).toEqual([
      1, 2, 3,
    ]);
    expect(
      pickVaried(audio, 3, {}, [t(9, 'Untitled 3 (Live)', null, null, [0, 0, 1])]).map(
        (c) => c.trackId,
      ),
    ).toEqual([1]);
  });
});

describe('track names', () => {
  it('makes a readable name from the file name of an untagged track', () => {
    expect(readableFileName('/music/elysis-subcities.mp3')).toBe('elysis subcities');
    expect(readableFileName('https://x.org/a/metal_rock__Metal_madness.ogg?dl=1')).toBe(
      'metal rock Metal madness',
    );
    const untagged = {
      title: 'elysis-subcities',
      artist: 'elysis',
      sourcePath: '/m/elysis-subcities.mp3',
    };
    expect(trackName(untagged)).toBe('elysis subcities');
    expect(trackName({ ...untagged, title: null })).toBe('elysis subcities');
    expect(trackName({ title: 'Subcities', artist: 'Elysis', sourcePath: '/m/x.mp3' })).toBe(
      'Subcities — Elysis',
    );
  });

  it('adds the album only where two tracks of an answer would read alike', () => {
    const names = answerNames([
      { title: 'Song A', artist: 'X', album: 'One', sourcePath: '/a.mp3' },
      { title: 'Song A', artist: 'X', album: 'Live at Y', sourcePath: '/b.mp3' },
      { title: 'Song B', artist: 'X', album: 'One', sourcePath: '/c.mp3' },
    ]);
    expect(names).toEqual(['Song A — X (One)', 'Song A — X (Live at Y)', 'Song B — X']);
  });
});
