/**
 * Relevance feedback on the query vector: Rocchio's method (J. J. Rocchio, "Relevance feedback in
 * information retrieval", 1971; the form and default weights of Manning, Raghavan & Schütze,
 * "Introduction to Information Retrieval", 2008, §9.1.1):
 *
 *   q' = α·q + β·mean(liked) − γ·mean(disliked),   α = 1, β = 0.75, γ = 0.15
 *
 * on unit vectors, so that a 👍 pulls the next answer toward that track and a 👎 pushes it away.
 */

/** Catalogue embeddings of a conversation's voted tracks (each of the index's dimension). */
export interface VoteVectors {
  readonly liked: readonly Float32Array[];
  readonly disliked: readonly Float32Array[];
}

/** Rocchio weights: query, liked (relevant) and disliked (non-relevant) centroids. */
export const ROCCHIO = { alpha: 1, beta: 0.75, gamma: 0.15 } as const;

/** Adds `weight × mean(vectors)` (each unit-normalised first) into `out`. */
function addCentroid(out: Float32Array, vectors: readonly Float32Array[], weight: number): void {
  if (vectors.length === 0) return;
  for (const v of vectors) {
    const norm = Math.hypot(...v) || 1;
    const w = weight / (vectors.length * norm);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + w * (v[i] ?? 0);
  }
}

/**
 * Moves a query vector by a conversation's votes.
 *
 * @param query - the query embedding (any norm; the index compares by cosine similarity)
 * @param votes - embeddings of liked and disliked catalogue tracks, same length as `query`
 * @returns a new vector with the query's norm; `query` itself when there are no votes
 * @throws never; vectors of another length are read as zeros where they are short
 */
export function applyFeedback(query: Float32Array, votes: VoteVectors): Float32Array {
  if (votes.liked.length + votes.disliked.length === 0) return query;
  const norm = Math.hypot(...query) || 1;
  const out = new Float32Array(query.length);
  for (let i = 0; i < out.length; i++) out[i] = (ROCCHIO.alpha * (query[i] ?? 0)) / norm;
  addCentroid(out, votes.liked, ROCCHIO.beta);
  addCentroid(out, votes.disliked, -ROCCHIO.gamma);
  const outNorm = Math.hypot(...out) || 1;
  for (let i = 0; i < out.length; i++) out[i] = ((out[i] ?? 0) * norm) / outNorm;
  return out;
}
