/**
 * Plain-text rendering of results for the terminal.
 */
import path from 'node:path';
import type { MatchedTrack, RecommendedTrack, TrackSummary } from '../core/recommend.js';

/** "Title — Artist (Album)" with fallbacks. */
export function trackLabel(t: TrackSummary): string {
  const title = t.title ?? path.basename(t.sourcePath);
  const artist = t.artist ? ` — ${t.artist}` : '';
  const album = t.album ? ` (${t.album})` : '';
  return `${title}${artist}${album}`;
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

/** Numbered result lines. */
export function formatRecommendations(results: readonly RecommendedTrack[]): string[] {
  return results.map(
    (r) =>
      `  ${r.rank}. ${trackLabel(r)}  [#${r.trackId}]\n` +
      `     similarity ${r.similarity.toFixed(2)} · confidence ${Math.round(r.confidence * 100)}% · ${r.reason}`,
  );
}

/** JSON shape of one result, as the CLI's --json prints it. */
export function resultJson(r: RecommendedTrack): Record<string, unknown> {
  return {
    rank: r.rank,
    trackId: r.trackId,
    title: r.title,
    artist: r.artist,
    album: r.album,
    similarity: Number(r.similarity.toFixed(4)),
    confidence: Number(r.confidence.toFixed(4)),
    reason: r.reason,
  };
}
