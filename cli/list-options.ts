/**
 * The options `recommend` and `similar` share for choosing a result list: variety (versions,
 * artists, albums), genre and duration filters, and tags.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { ListOptions } from '../core/engine.js';

/** The parsed flags, as commander hands them to an action. */
export interface ListFlags {
  maxPerArtist?: number;
  maxPerAlbum?: number;
  allowVersions?: boolean;
  genre?: string[];
  notGenre?: string[];
  minDuration?: number;
  maxDuration?: number;
  tags: boolean;
}

/** A cap: a positive integer, or 0 / "all" for no limit. */
function cap(value: string): number {
  if (/^(0|all|none)$/i.test(value.trim())) return Number.POSITIVE_INFINITY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer, or 0 for no limit');
  }
  return n;
}

/** Seconds ≥ 0. */
function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected seconds ≥ 0');
  return n;
}

/** Comma-separated values added to the earlier ones (the flag may be repeated). */
function list(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** Adds the list flags to a command. */
export function withListOptions(command: Command): Command {
  return command
    .option('--max-per-artist <n>', 'results from one artist at most (0: no limit)', cap, 2)
    .option('--max-per-album <n>', 'results from one album at most (0: no limit)', cap, 2)
    .option(
      '--allow-versions',
      'allow several versions of one song (same title and artist, or near-identical audio)',
    )
    .option('--genre <genres>', 'only tracks with one of these genre tags (comma-separated)', list)
    .option(
      '--not-genre <genres>',
      'leave out tracks with these genre tags (comma-separated)',
      list,
    )
    .option('--min-duration <s>', 'only tracks at least this long, seconds', seconds)
    .option('--max-duration <s>', 'only tracks at most this long, seconds', seconds)
    .option('--no-tags', 'do not vote genre tags from the neighbours');
}

/**
 * The engine's list options from the parsed flags.
 *
 * @throws InvalidArgumentError when --min-duration exceeds --max-duration
 */
export function listOptionsFrom(flags: ListFlags): ListOptions {
  if (
    flags.minDuration !== undefined &&
    flags.maxDuration !== undefined &&
    flags.minDuration > flags.maxDuration
  ) {
    throw new InvalidArgumentError('--min-duration is longer than --max-duration');
  }
  return {
    variety: {
      ...(flags.maxPerArtist !== undefined ? { maxPerArtist: flags.maxPerArtist } : {}),
      ...(flags.maxPerAlbum !== undefined ? { maxPerAlbum: flags.maxPerAlbum } : {}),
      ...(flags.allowVersions ? { allowVersions: true } : {}),
    },
    filter: {
      ...(flags.genre?.length ? { genres: flags.genre } : {}),
      ...(flags.notGenre?.length ? { notGenres: flags.notGenre } : {}),
      ...(flags.minDuration !== undefined ? { minDurationS: flags.minDuration } : {}),
      ...(flags.maxDuration !== undefined ? { maxDurationS: flags.maxDuration } : {}),
    },
    tags: flags.tags,
  };
}
