/**
 * Filters typed in the chats and the map button's payload: what `/similar 12 --genre jazz`,
 * `genre:jazz`, Discord's options and their mistakes turn into (bots/shared/chat-filters.ts,
 * bots/shared/actions.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  decodeAction,
  decodeMapAction,
  encodeAction,
  encodeMapAction,
} from '../../bots/shared/actions.js';
import {
  describeFilter,
  filterFromOptions,
  parseDuration,
  parseFilterText,
} from '../../bots/shared/chat-filters.js';

describe('parseFilterText', () => {
  it('reads every spelling of a filter and keeps the other words', () => {
    expect(parseFilterText('12 --genre jazz')).toEqual({
      filter: { genres: ['jazz'] },
      words: ['12'],
    });
    expect(parseFilterText('genre:jazz,blues not-genre=rock 40').filter).toEqual({
      genres: ['jazz', 'blues'],
      notGenres: ['rock'],
    });
    expect(
      parseFilterText('--not_genre=metal --min-duration 1:30 max_duration:300').filter,
    ).toEqual({ notGenres: ['metal'], minDurationS: 90, maxDurationS: 300 });
    // "genre: jazz" as people type it, and a quoted tag with a space.
    expect(parseFilterText('genre: jazz').filter).toEqual({ genres: ['jazz'] });
    expect(parseFilterText('genre:"hip hop" 7')).toEqual({
      filter: { genres: ['hip hop'] },
      words: ['7'],
    });
    expect(parseFilterText('genre:jazz genre:soul').filter).toEqual({ genres: ['jazz', 'soul'] });
  });

  it('gives no filter for plain words, and says what is wrong with a bad one', () => {
    expect(parseFilterText('')).toEqual({ filter: undefined, words: [] });
    expect(parseFilterText('12 please')).toEqual({ filter: undefined, words: ['12', 'please'] });
    expect(parseFilterText('min-duration:abc').error).toMatch(/can't read "abc" as a duration/);
    expect(parseFilterText('--genre').error).toMatch(/needs a value/);
    expect(parseFilterText('--colour red').error).toMatch(/don't know the option "--colour"/);
    expect(parseFilterText('min:5:00 max:2:00').error).toMatch(/shortest .*5:00.* longest .*2:00/);
  });
});

describe('parseDuration', () => {
  it('takes seconds, m:ss, h:mm:ss and units', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('1:30')).toBe(90);
    expect(parseDuration('1:02:03')).toBe(3723);
    expect(parseDuration('2m')).toBe(120);
    expect(parseDuration('2 min')).toBe(120);
    expect(parseDuration('1m30s')).toBe(90);
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('filterFromOptions', () => {
  it("reads Discord's options, skipping empty ones", () => {
    expect(
      filterFromOptions({
        genre: 'jazz, blues',
        not_genre: null,
        min_duration: '',
        max_duration: '4:00',
      }),
    ).toEqual({ filter: { genres: ['jazz', 'blues'], maxDurationS: 240 }, words: [] });
    expect(filterFromOptions({ genre: null }).filter).toBeUndefined();
    expect(filterFromOptions({ min_duration: 'long' }).error).toMatch(/duration/);
  });
});

describe('describeFilter', () => {
  it('says the filter in a few words', () => {
    expect(describeFilter(undefined)).toBe('');
    expect(
      describeFilter({
        genres: ['jazz'],
        notGenres: ['rock', 'metal'],
        minDurationS: 90,
        maxDurationS: 300,
      }),
    ).toBe('only jazz · not rock, metal · 1:30–5:00 long');
    expect(describeFilter({ minDurationS: 45 })).toBe('at least 45 s long');
    expect(describeFilter({ maxDurationS: 240 })).toBe('at most 4:00 long');
  });
});

describe('the map button payload', () => {
  it('names the answer, fits Telegram, and is not a vote', () => {
    const answerId = '2f1c7e0a-5b1d-4c55-9a8e-3f0c8f3f6b21';
    const payload = encodeMapAction(answerId);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(64);
    expect(decodeMapAction(payload)).toBe(answerId);
    expect(decodeMapAction('map')).toBe('');
    expect(decodeAction(payload)).toBeUndefined();
    expect(decodeMapAction(encodeAction({ vote: 'up', trackId: 3 }))).toBeUndefined();
    expect(decodeMapAction('map:../../etc')).toBeUndefined();
  });
});
