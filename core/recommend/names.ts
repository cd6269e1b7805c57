/**
 * The names people read for catalogue tracks: "Title — Artist", with a readable name made from the
 * file name for a track without a title tag, and the album added where two tracks of one answer
 * would otherwise read alike (versions of one song). Every renderer (CLI, chat adapters) calls
 * these, so a track reads the same everywhere.
 *
 * @module
 */

import { normaliseName, versionKey } from './variety.js';

/** What naming needs of a track. */
export interface NameableTrack {
  readonly title: string | null;
  readonly artist: string | null;
  readonly album?: string | null;
  /** Path or URI the track was ingested from. */
  readonly sourcePath: string;
}

/**
 * A file name as people read it: folder and extension dropped, runs of `-`, `_` and spaces as one
 * space. "music/elysis-subcities.mp3" → "elysis subcities".
 *
 * @param sourcePath - a path or URI (a query string or fragment is ignored)
 * @returns the readable name; "Untitled" when nothing is left
 */
export function readableFileName(sourcePath: string): string {
  const base =
    sourcePath
      .replace(/[?#].*$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const stem = base.replace(/\.[a-z0-9]{1,5}$/i, '');
  return stem.replace(/[-_\s]+/g, ' ').trim() || 'Untitled';
}

/**
 * The title to show: the title tag; when it is missing, {@link readableFileName}; when it is only
 * the file name (what ingest stores for an untagged file), that name with `-` and `_` as spaces.
 */
export function displayTitle(t: Pick<NameableTrack, 'title' | 'sourcePath'>): string {
  const title = t.title?.trim();
  const readable = readableFileName(t.sourcePath);
  if (!title) return readable;
  const base =
    t.sourcePath
      .replace(/[?#].*$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const stem = base.replace(/\.[a-z0-9]{1,5}$/i, '');
  const loose = (s: string) =>
    s
      .toLowerCase()
      .replace(/[-_\s]+/g, ' ')
      .trim();
  if (loose(title) === loose(base)) return readable;
  return loose(title) === loose(stem) ? title.replace(/[-_\s]+/g, ' ').trim() : title;
}

/**
 * "Title — Artist": the artist left out when unknown or already part of the title (an untagged
 * "elysis-subcities.mp3" by "elysis" reads "elysis subcities"); with `withAlbum`, " (Album)" after.
 *
 * @returns a non-empty label
 */
export function trackName(t: NameableTrack, withAlbum = false): string {
  const title = displayTitle(t);
  const artist = t.artist?.trim();
  const showArtist =
    artist && !` ${normaliseName(title)} `.includes(` ${normaliseName(artist)} `) ? artist : '';
  const album = withAlbum && t.album?.trim() ? ` (${t.album.trim()})` : '';
  return `${title}${showArtist ? ` — ${showArtist}` : ''}${album}`;
}

/**
 * Names for the tracks of one answer, in order: the album is added to a track's name only when
 * another track of the answer would read alike without it (two versions of one song, or one title
 * by one artist on two albums).
 *
 * @param tracks - the answer's tracks (the match first, when there is one)
 * @returns one label per track
 */
export function answerNames(tracks: readonly NameableTrack[]): string[] {
  const keyOf = (t: NameableTrack) =>
    versionKey({ title: displayTitle(t), artist: t.artist ?? null });
  const counts = new Map<string, number>();
  for (const t of tracks) {
    const key = keyOf(t);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return tracks.map((t) => {
    const key = keyOf(t);
    return trackName(t, key !== undefined && (counts.get(key) ?? 0) > 1);
  });
}
