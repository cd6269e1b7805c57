/**
 * Plain-text rendering of results for the terminal.
 */

import type { MatchedTrack, RecommendedTrack, TagVote, TrackSummary } from '../core/engine.js';
import { answerNames, trackName } from '../core/recommend/names.js';
import { formatTagVote } from '../core/recommend/tags.js';

/** "Title — Artist", a readable file name standing in for a missing title (core/recommend/names.ts). */
export function trackLabel(t: TrackSummary): string {
  return trackName(t);
}

/** The match line (with where in the track the clip starts, for a fingerprint match). */
export function formatMatch(match: MatchedTrack): string {
  const at =
    match.offsetS !== undefined && match.offsetS >= 0
      ? ` at ${Math.floor(match.offsetS / 60)}:${String(Math.floor(match.offsetS % 60)).padStart(2, '0')}`
      : '';
  const how =
    match.method === 'fingerprint' && match.hashes !== undefined
      ? `${match.hashes} landmarks agree`
      : `match score ${match.score.toFixed(2)}${match.method ? ` by ${match.method}` : ''}`;
  return `  this sounds like: ${trackLabel(match)}${at}  [#${match.trackId}, ${how}]`;
}

/** "  sounds like: jazz 0.70, blues 0.20", or nothing when no tags were voted. */
export function formatTags(tags: TagVote | undefined, indent = '  '): string[] {
  const line = formatTagVote(tags);
  return line ? [`${indent}sounds like: ${line}`] : [];
}

/**
 * Numbered result lines. Names carry the album where two tracks of the answer (with the query's
 * own track, `alongside`) would read alike; with `seedNames`, each result says which seed it is
 * closest to.
 */
export function formatRecommendations(
  results: readonly RecommendedTrack[],
  alongside: readonly TrackSummary[] = [],
  seedNames: readonly string[] = [],
): string[] {
  const names = answerNames([...alongside, ...results]).slice(alongside.length);
  return results.map((r, i) => {
    const details = [
      `similarity ${r.similarity.toFixed(2)}`,
      `confidence ${Math.round(r.confidence * 100)}%`,
      r.reason,
      ...(r.tags ? [formatTagVote(r.tags)] : []),
    ];
    const seed =
      r.closestSeed !== undefined && seedNames[r.closestSeed]
        ? `\n     closest to seed ${r.closestSeed + 1}: ${seedNames[r.closestSeed]}`
        : '';
    return `  ${r.rank}. ${names[i]}  [#${r.trackId}]\n     ${details.join(' · ')}${seed}`;
  });
}

/** JSON shape of one result, as the CLI's --json prints it. */
export function resultJson(r: RecommendedTrack): Record<string, unknown> {
  return {
    rank: r.rank,
    trackId: r.trackId,
    title: r.title,
    artist: r.artist,
    album: r.album,
    genre: r.genre ?? null,
    durationS: r.durationS,
    similarity: Number(r.similarity.toFixed(4)),
    confidence: Number(r.confidence.toFixed(4)),
    reason: r.reason,
    ...(r.tags ? { tags: tagsJson(r.tags) } : {}),
    ...(r.closestSeed !== undefined ? { closestSeed: r.closestSeed } : {}),
  };
}

/** JSON shape of a tag vote: `{ genres: [{ tag, weight }], confidence }`, rounded to 3 places. */
export function tagsJson(t: TagVote): Record<string, unknown> {
  return {
    genres: t.genres.map((g) => ({ tag: g.tag, weight: Number(g.weight.toFixed(3)) })),
    confidence: Number(t.confidence.toFixed(3)),
  };
}
