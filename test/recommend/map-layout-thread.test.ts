/**
 * The map's UMAP layout runs on a thread of its own: the same positions as on the caller's
 * thread, while the caller's event loop keeps turning.
 */
import { describe, expect, it } from 'vitest';
import { layOut, layOutOffThread } from '../../core/recommend/map-layout.js';
import { clusteredVectors } from '../index/vectors.js';

describe('layOutOffThread', () => {
  it('gives the layout layOut gives, and the event loop keeps turning meanwhile', async () => {
    const vectors = clusteredVectors(5, 400, 32, 4, 0.2);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const xy = await layOutOffThread(vectors, 3);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(xy).toEqual(layOut(vectors, 3));
    // A timer every 10 ms fires through most of the layout (the thread starts in ~0.3 s).
    expect(ticks).toBeGreaterThan((elapsed - 1_000) / 20);
    await expect(layOutOffThread(vectors.slice(0, 2))).rejects.toThrow(/at least 3/);
  });
});
