/**
 * Filters typed in a chat — `genre:jazz`, `--not-genre rock`, `min-duration:2:00`,
 * `max_duration=300` — or given as slash-command options (Discord), turned into the engine's
 * {@link TrackFilter}. One parser for every platform, so that `/similar 12 --genre jazz` on
 * Telegram, `/synesthete similar 12 genre:jazz` on Slack and `/similar genre:jazz` on Discord
 * mean the same.
 */
import type { TrackFilter } from './recommender-port.js';

/** What a command's text held: the filter, the other words, or what was wrong with it. */
export interface ParsedFilterText {
  /** The conditions; undefined when the text set none. */
  readonly filter: TrackFilter | undefined;
  /** The words that were not filters, in order (e.g. a track id). */
  readonly words: readonly string[];
  /** A friendly explanation when a filter could not be read (then `filter` is undefined). */
  readonly error?: string;
}

/** Key spellings → filter field. */
const KEYS: Readonly<Record<string, keyof TrackFilter>> = {
  genre: 'genres',
  genres: 'genres',
  notgenre: 'notGenres',
  notgenres: 'notGenres',
  exclude: 'notGenres',
  minduration: 'minDurationS',
  min: 'minDurationS',
  maxduration: 'maxDurationS',
  max: 'maxDurationS',
};

/** How filters are written, for error texts and help. */
export const FILTER_SYNTAX =
  'genre:jazz, not-genre:rock,metal, min-duration:90 (seconds, or 1:30), max-duration:5:00';

const keyOf = (raw: string): keyof TrackFilter | undefined =>
  KEYS[raw.toLowerCase().replace(/[-_\s]/g, '')];

/**
 * Reads a duration: "90", "90s", "1:30", "2m", "2 min", "1m30s", "1:02:03".
 *
 * @returns seconds, or undefined when the text is not a duration
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const clock = /^(?:(\d+):)?(\d{1,3}):(\d{2})$/.exec(t);
  if (clock) return Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  const units =
    /^(?:(\d+(?:\.\d+)?)\s*(?:m|min|mins|minutes?))?\s*(?:(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?))?$/.exec(
      t,
    );
  if (units && (units[1] !== undefined || units[2] !== undefined)) {
    return Number(units[1] ?? 0) * 60 + Number(units[2] ?? 0);
  }
  return undefined;
}

/** Splits text into words, keeping "double-quoted phrases" (and key:"quoted value") whole. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /(?:[^\s"]*"[^"]*"[^\s"]*)+|\S+/g;
  for (const m of text.matchAll(re)) out.push(m[0].replaceAll('"', ''));
  return out;
}

/** Adds one key's value to the filter under construction; an error text when it is not valid. */
function addValue(
  into: { -readonly [K in keyof TrackFilter]: TrackFilter[K] },
  key: keyof TrackFilter,
  rawKey: string,
  value: string,
): string | undefined {
  const v = value.trim();
  if (v === '') return `"${rawKey}" needs a value, e.g. ${FILTER_SYNTAX}.`;
  if (key === 'genres' || key === 'notGenres') {
    const list = v
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    into[key] = [...(into[key] ?? []), ...list];
    return undefined;
  }
  const seconds = parseDuration(v);
  if (seconds === undefined || !Number.isFinite(seconds)) {
    return `I can't read "${v}" as a duration: write seconds (90) or minutes and seconds (1:30).`;
  }
  into[key] = seconds;
  return undefined;
}

/** The filter, or an error when its range is empty; undefined filter when it sets nothing. */
function finish(
  filter: { -readonly [K in keyof TrackFilter]: TrackFilter[K] },
  words: readonly string[],
): ParsedFilterText {
  if (
    filter.minDurationS !== undefined &&
    filter.maxDurationS !== undefined &&
    filter.minDurationS > filter.maxDurationS
  ) {
    return {
      filter: undefined,
      words,
      error: `The shortest duration (${formatDuration(filter.minDurationS)}) is longer than the longest (${formatDuration(filter.maxDurationS)}).`,
    };
  }
  return { filter: Object.keys(filter).length > 0 ? filter : undefined, words };
}

/**
 * Reads the filters in a command's text. Each may be written `key:value`, `key=value`,
 * `--key value` or `--key=value`; keys `genre`, `not-genre` (also `not_genre`, `exclude`),
 * `min-duration` (`min`), `max-duration` (`max`); genres comma-separated, durations in seconds
 * or m:ss. Words that are not filters are returned in `words`.
 *
 * @param text - what followed the command ("12 --genre jazz max-duration:4:00")
 * @returns the filter (undefined when none), the other words, or an error text
 */
export function parseFilterText(text: string): ParsedFilterText {
  const filter: { -readonly [K in keyof TrackFilter]: TrackFilter[K] } = {};
  const words: string[] = [];
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const dashed = /^--?([a-z_-]+)(?:=(.*))?$/i.exec(token);
    const pair = /^([a-z_-]+)[:=](.*)$/i.exec(token);
    const rawKey = dashed?.[1] ?? pair?.[1];
    const key = rawKey !== undefined ? keyOf(rawKey) : undefined;
    if (!rawKey || !key) {
      if (dashed) {
        return {
          filter: undefined,
          words,
          error: `I don't know the option "${token}". Filters: ${FILTER_SYNTAX}.`,
        };
      }
      words.push(token);
      continue;
    }
    let value = dashed ? dashed[2] : pair?.[2];
    // "--genre jazz", and "genre: jazz" as people type it.
    if ((value === undefined || value === '') && i + 1 < tokens.length) {
      value = tokens[i + 1] as string;
      i += 1;
    }
    const error = addValue(filter, key, rawKey, value ?? '');
    if (error) return { filter: undefined, words, error };
  }
  return finish(filter, words);
}

/**
 * Reads slash-command options (Discord's `genre`, `not_genre`, `min_duration`, `max_duration`).
 *
 * @param options - option name → its value (strings as typed, numbers as given); absent or
 *   empty values are skipped
 * @returns the filter (undefined when none) or an error text
 */
export function filterFromOptions(
  options: Readonly<Record<string, string | number | null | undefined>>,
): ParsedFilterText {
  const filter: { -readonly [K in keyof TrackFilter]: TrackFilter[K] } = {};
  for (const [rawKey, raw] of Object.entries(options)) {
    if (raw === null || raw === undefined || raw === '') continue;
    const key = keyOf(rawKey);
    if (!key) continue;
    const error = addValue(filter, key, rawKey, String(raw));
    if (error) return { filter: undefined, words: [], error };
  }
  return finish(filter, []);
}

/** Seconds as "m:ss" ("1:30"; "45 s" under a minute). */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A filter in a few words, shown with the answer: "only jazz, blues · not rock · 1:30–5:00".
 *
 * @returns the description, or "" for no filter
 */
export function describeFilter(filter: TrackFilter | undefined): string {
  if (!filter) return '';
  const parts: string[] = [];
  if (filter.genres?.length) parts.push(`only ${filter.genres.join(', ')}`);
  if (filter.notGenres?.length) parts.push(`not ${filter.notGenres.join(', ')}`);
  const [min, max] = [filter.minDurationS, filter.maxDurationS];
  if (min !== undefined && max !== undefined) {
    parts.push(`${formatDuration(min)}–${formatDuration(max)} long`);
  } else if (min !== undefined) parts.push(`at least ${formatDuration(min)} long`);
  else if (max !== undefined) parts.push(`at most ${formatDuration(max)} long`);
  return parts.join(' · ');
}
