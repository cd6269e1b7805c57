/**
 * One forward pass of the CNN on a made-up spectrogram, for a process about to answer its first
 * clip: the WebAssembly backend prepares each layer's operator (packing its weights) and grows its
 * memory on a model's first batch, which would otherwise fall on the first real clip. Run while the
 * catalogue opens, whose start mostly waits on its own WebAssembly.
 *
 * @module
 */
import { debugFailure } from '../util/debug-log.js';
import type { EmbeddingModel } from './embedder.js';

/** Windows in the made-up batch: a full forward pass, as a clip of ~10 s or more runs. */
const WARM_UP_WINDOWS = 32;

/**
 * Embeds {@link WARM_UP_WINDOWS} windows of a quiet, flat log-mel spectrogram (ln 10⁻⁴ in every
 * band) and throws the result away. The model keeps no state from it: later embeddings are the
 * same as without it.
 *
 * @param model - the loaded embedding model
 */
export function warmUpModel(model: EmbeddingModel): void {
  const { features, window } = model.metadata;
  const hop = window.queryHopFrames ?? window.hopFrames;
  const frames = window.frames + (WARM_UP_WINDOWS - 1) * hop;
  try {
    model.embedSpectrograms(
      [
        {
          data: new Float32Array(frames * features.nMels).fill(Math.log(1e-4)),
          frames,
          nMels: features.nMels,
        },
      ],
      WARM_UP_WINDOWS,
      hop,
    );
  } catch (error) {
    // Only a head start: the first real clip runs the same forward pass and reports what fails.
    debugFailure('warming up the CNN', error);
  }
}
