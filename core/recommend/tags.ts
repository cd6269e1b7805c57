/**
 * Tags voted by neighbours: a clip or track gets the genre tags of its nearest catalogue tracks,
 * each neighbour's vote weighted by its cosine similarity (a similarity-weighted k-nearest-
 * neighbour vote; T. Cover & P. Hart, "Nearest neighbor pattern classification", 1967, with
 * distance weighting after S. Dudani, 1976). The track's own tag does not vote for itself.
 *
 * @module
 */

import { genreKey } from './filters.js';

/** Neighbours that vote. */
export const TAG_NEIGHBOURS = 10;

/** One voted tag and its share of the votes. */
export interface TagShare {
  /** The tag as the catalogue spells it most often. */
  readonly tag: string;
  /** Share of the similarity-weighted votes, in [0, 1]; the shares of a vote sum to 1. */
  readonly weight: number;
}

/** The outcome of a vote: tags best first, and the winner's share as the confidence. */
export interface TagVote {
  /** Tags with a share ≥ `minShare`, best first (at most `maxTags`). */
  readonly genres: readonly TagShare[];
  /** The best tag's share in [0, 1] (0 when no neighbour had a tag). */
  readonly confidence: number;
  /** Neighbours that had a tag and voted. */
  readonly voters: number;
}

/** A neighbour: its genre tag (null when untagged) and its cosine similarity to the query. */
export interface TagNeighbour {
  readonly genre: string | null;
  readonly similarity: number;
}

/**
 * Votes the genre of a query from its neighbours. Each tagged neighbour adds max(0, similarity)
 * to its tag (tags compared case- and punctuation-blind); untagged neighbours do not vote.
 *
 * @param neighbours - nearest catalogue tracks, best first (the query's own track left out)
 * @param options - `maxTags` kept (default 3), `minShare` below which a tag is dropped (default 0.1)
 * @returns the vote; `genres` is empty when no neighbour had a tag
 */
export function voteTags(
  neighbours: readonly TagNeighbour[],
  options: { maxTags?: number; minShare?: number } = {},
): TagVote {
  const weights = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  let total = 0;
  let voters = 0;
  for (const n of neighbours) {
    const key = genreKey(n.genre);
    if (!key || n.genre === null) continue;
    voters++;
    const w = Math.max(0, n.similarity);
    total += w;
    weights.set(key, (weights.get(key) ?? 0) + w);
    const s = spellings.get(key) ?? new Map<string, number>();
    s.set(n.genre, (s.get(n.genre) ?? 0) + 1);
    spellings.set(key, s);
  }
  if (voters === 0 || total <= 0) return { genres: [], confidence: 0, voters };
  const ranked = [...weights.entries()]
    .map(([key, w]) => ({ tag: mostCommon(spellings.get(key)) ?? key, weight: w / total }))
    .sort((a, b) => b.weight - a.weight);
  const minShare = options.minShare ?? 0.1;
  const genres = ranked
    .filter((t, i) => i === 0 || t.weight >= minShare)
    .slice(0, options.maxTags ?? 3);
  return { genres, confidence: ranked[0]?.weight ?? 0, voters };
}

/** The key counted most often (first seen on a tie). */
function mostCommon(counts: Map<string, number> | undefined): string | undefined {
  let best: string | undefined;
  let bestCount = -1;
  for (const [key, count] of counts ?? []) {
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

/**
 * A vote as one line: "jazz 0.70, blues 0.20".
 *
 * @returns "" for a vote without tags
 */
export function formatTagVote(vote: TagVote | undefined): string {
  return (vote?.genres ?? []).map((t) => `${t.tag} ${t.weight.toFixed(2)}`).join(', ');
}
