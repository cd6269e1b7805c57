/**
 * Cutting log-mel spectrograms into the fixed-size windows the CNN embeds, and the input
 * normalisation applied to each window.
 */
import type { WindowParams } from './metadata.js';

/** A log-mel spectrogram: frame-major `data[t * nMels + m]`, natural-log mel power. */
export interface SpectrogramLike {
  readonly data: Float32Array;
  readonly frames: number;
  readonly nMels: number;
}

/** Windows cut from one or more spectrograms. */
export interface Windows {
  /** count × frames × nMels, window-major then frame-major. */
  readonly data: Float32Array;
  readonly count: number;
  /**
   * Start frame of each window, counted over the spectrograms laid end to end (count entries).
   */
  readonly starts?: readonly number[];
  readonly frames: number;
  readonly nMels: number;
}

/**
 * Start frames of windows over `totalFrames`: every `hopFrames`, the last one flush with the end;
 * when there are more than `maxWindows`, that many spread evenly over the whole length.
 *
 * @returns ascending start frames (one `0` when the spectrogram is shorter than a window)
 */
export function windowStarts(
  totalFrames: number,
  window: WindowParams,
  maxWindows: number,
): number[] {
  const last = Math.max(0, totalFrames - window.frames);
  const starts: number[] = [];
  for (let s = 0; s <= last; s += window.hopFrames) starts.push(s);
  if (starts[starts.length - 1] !== last) starts.push(last);
  if (starts.length <= maxWindows) return starts;
  const spread: number[] = [];
  for (let i = 0; i < maxWindows; i++) {
    spread.push(Math.round((i * last) / Math.max(1, maxWindows - 1)));
  }
  return spread;
}

/**
 * Cuts windows of `window.frames` frames from each spectrogram (segments of one recording), at most
 * `maxWindows` in all, shared between the segments in proportion to their length. A spectrogram
 * shorter than one window is looped to fill it (a 1.5 s clip becomes two repeats), which keeps its
 * timbre statistics instead of padding with silence.
 *
 * @param spectrograms - one or more log-mel spectrograms with the same nMels
 * @param window - window size and hop, in frames
 * @param maxWindows - cap on the number of windows (≥ 1)
 * @throws Error when given no spectrogram or a spectrogram with no frames
 */
export function cutWindows(
  spectrograms: readonly SpectrogramLike[],
  window: WindowParams,
  maxWindows: number,
): Windows {
  const first = spectrograms[0];
  if (!first) throw new Error('cutWindows: no spectrogram');
  const nMels = first.nMels;
  const total = spectrograms.reduce((n, s) => n + s.frames, 0);
  const plan: Array<{ spec: SpectrogramLike; start: number; at: number }> = [];
  let specOffset = 0;
  for (const spec of spectrograms) {
    if (spec.frames === 0) continue;
    const share = Math.max(1, Math.round((maxWindows * spec.frames) / total));
    for (const start of windowStarts(spec.frames, window, share))
      plan.push({ spec, start, at: specOffset + start });
    specOffset += spec.frames;
  }
  if (plan.length === 0) throw new Error('cutWindows: empty spectrogram');
  const chosen =
    plan.length <= maxWindows
      ? plan
      : Array.from(
          { length: maxWindows },
          (_, i) => plan[Math.floor((i * plan.length) / maxWindows)]!,
        );
  const size = window.frames * nMels;
  const data = new Float32Array(chosen.length * size);
  chosen.forEach(({ spec, start }, w) => {
    for (let t = 0; t < window.frames; t++) {
      const src = ((start + t) % spec.frames) * nMels;
      data.set(spec.data.subarray(src, src + nMels), w * size + t * nMels);
    }
  });
  return {
    data,
    count: chosen.length,
    frames: window.frames,
    nMels,
    starts: chosen.map((c) => c.at),
  };
}

/**
 * Normalises windows in place: subtracts each window's mean log-mel value (so the embedding does
 * not depend on playback volume or microphone gain) and divides by the global standard deviation
 * measured on the training corpus.
 *
 * @param windows - windows from {@link cutWindows}; modified in place and returned
 * @param std - global log-mel standard deviation from the model's metadata (> 0)
 */
export function normalizeWindows(windows: Windows, std: number): Windows {
  const size = windows.frames * windows.nMels;
  for (let w = 0; w < windows.count; w++) {
    const view = windows.data.subarray(w * size, (w + 1) * size);
    let sum = 0;
    for (let i = 0; i < size; i++) sum += view[i]!;
    const mean = sum / size;
    for (let i = 0; i < size; i++) view[i] = (view[i]! - mean) / std;
  }
  return windows;
}
