/**
 * Maps window-index labels back to (track id, window number). Windows are labelled 0, 1, 2, … in
 * catalogue order, track by track, so the table is stored as runs `[trackId, windowCount]` and
 * looked up by binary search over the runs' first labels.
 *
 * @module
 */

/** One run: `windowCount` consecutive labels belonging to `trackId`. */
export type WindowRun = readonly [trackId: number, windowCount: number];

/** Label → (trackId, windowIndex) lookup over consecutive runs. */
export class WindowTable {
  /** The runs, in label order (what the sidecar stores). */
  readonly runs: readonly WindowRun[];
  /** Total number of labels (sum of run lengths). */
  readonly size: number;
  readonly #firstLabel: Float64Array;

  /**
   * @param runs - `[trackId, windowCount]` pairs in label order; counts must be positive integers
   * @throws Error when a run is malformed (the sidecar that held it is then treated as corrupt)
   */
  constructor(runs: readonly WindowRun[]) {
    this.runs = runs;
    this.#firstLabel = new Float64Array(runs.length);
    let next = 0;
    runs.forEach(([trackId, count], i) => {
      if (!Number.isInteger(trackId) || !Number.isInteger(count) || count <= 0) {
        throw new Error(`bad window run ${JSON.stringify(runs[i])}`);
      }
      this.#firstLabel[i] = next;
      next += count;
    });
    this.size = next;
  }

  /**
   * The track and window number behind a label, or undefined when the label is out of range.
   *
   * @param label - window-index label in [0, size)
   */
  lookup(label: number): { trackId: number; windowIndex: number } | undefined {
    if (!Number.isInteger(label) || label < 0 || label >= this.size) return undefined;
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#firstLabel[mid] ?? 0) <= label) lo = mid;
      else hi = mid - 1;
    }
    const run = this.runs[lo];
    if (run === undefined) return undefined;
    return { trackId: run[0], windowIndex: label - (this.#firstLabel[lo] ?? 0) };
  }
}
