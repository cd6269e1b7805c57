/**
 * A voice-note view of a catalogue track: a random 10 s excerpt through a random voice-note chain
 * (band-limiting, noise, room reflections, gain, Opus at voice-note bitrates;
 * core/audio/voice-note.ts), analysed as a clip is. Ingest stores the view's vector beside the
 * track's own vector for a sample of the catalogue, and the library's clip map
 * (core/library/clip-map.ts) is fitted on those pairs.
 *
 * @module
 */

import { analyzeAudio } from '../analysis/analyze.js';
import { decodeAudio } from '../audio/decode.js';
import type { encodeVoiceNote, VoiceNoteOptions } from '../audio/voice-note.js';
import { encodeVoiceNoteInProcess } from '../audio/voice-note-node-av.js';
import type { EmbeddingModel } from '../model/embedder.js';
import { createRng, type Rng, uniform } from '../util/random.js';

/** Seconds of a view (what most voice notes hold, and what `evaluate --clips` sends). */
export const VIEW_SECONDS = 10;

/** Sample rate the excerpt is cut and passed through the chain at, Hz (Opus's own rate). */
export const CHAIN_RATE = 48_000;

/**
 * Cuts an excerpt of a file as mono PCM at {@link CHAIN_RATE}, decoded in process
 * (`decodeAudio`: node-av on a decode thread, the ffmpeg program where node-av is absent).
 *
 * @param file - path of an audio file
 * @param offsetS - where the excerpt starts, seconds (≥ 0)
 * @param seconds - its length, seconds (> 0; shorter when the file ends first)
 * @returns mono Float32 PCM at 48,000 Hz in [-1, 1]
 * @throws SynestheteError from `decodeAudio` (`E_DECODE`, `E_INPUT_DURATION`, `E_NOT_FOUND`, …)
 */
export async function cutExcerpt(
  file: string,
  offsetS: number,
  seconds: number,
): Promise<Float32Array> {
  const decoded = await decodeAudio(file, {
    sampleRate: CHAIN_RATE,
    startS: offsetS,
    maxAnalysedS: seconds,
    segments: 1,
  });
  return decoded.pcm;
}

/**
 * The low-pass range of the library's voice-note views, Hz: what messaging apps keep (their Opus
 * voice notes are wideband or better, 8 kHz of audio and up, and the phone's microphone rolls
 * off above), not the 3.4 kHz telephone band, which a voice note never goes through. A clip map
 * fitted on such views also moves narrow-band clips well (docs/similarity.md).
 */
export const VIEW_LOWPASS_HZ: readonly [number, number] = [6000, 8000];

/**
 * Draws one voice-note chain over the ranges phones and messaging apps cover: Opus at 16–32
 * kbit/s, high-pass 100–400 Hz, low-pass in `lowpassHz`, pink noise at 5–25 dB SNR four times in
 * five, two room reflections (10–90 ms, decays 0.1–0.5) three times in five, gain −12…+3 dB.
 *
 * @param rng - seeded generator
 * @param lowpassHz - the low-pass cut-off's range in Hz (default {@link VIEW_LOWPASS_HZ})
 * @returns the chain's options
 */
export function drawVoiceNoteChain(
  rng: Rng,
  lowpassHz: readonly [number, number] = VIEW_LOWPASS_HZ,
): VoiceNoteOptions {
  const noisy = rng() < 0.8;
  const snrDb = uniform(rng, 5, 25);
  const reverb =
    rng() < 0.6
      ? {
          delaysMs: [uniform(rng, 10, 40), uniform(rng, 40, 90)],
          decays: [uniform(rng, 0.1, 0.5), uniform(rng, 0.1, 0.5)],
        }
      : null;
  return {
    bitrateKbps: Math.round(uniform(rng, 16, 32)),
    highpassHz: Math.round(uniform(rng, 100, 400)),
    lowpassHz: Math.round(uniform(rng, lowpassHz[0], lowpassHz[1])),
    snrDb: noisy ? snrDb : null,
    reverb,
    gainDb: uniform(rng, -12, 3),
  };
}

/**
 * What turns an excerpt into a voice note's Ogg Opus bytes: `encodeVoiceNoteInProcess` (FFmpeg's
 * libraries in process, the ffmpeg program where node-av is absent) or `encodeVoiceNote` (always
 * the program); both add the noise first with the same draws.
 */
export type VoiceNoteEncoder = typeof encodeVoiceNote;

/** A seed from a string (FNV-1a, 32 bits), so that a track's view is reproducible. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The vector of one voice-note view of a track: `VIEW_SECONDS` from a random point of the file
 * ({@link cutExcerpt}), through a random chain ({@link drawVoiceNoteChain}), encoded as Ogg Opus
 * in process (FFmpeg's libraries through node-av: no process is spawned; the ffmpeg program only
 * where node-av is absent) and analysed as a clip (`analyzeAudio` with `query`). Reproducible:
 * the excerpt, the chain and the noise are drawn from `seed`, in that order.
 *
 * @param file - path of the track's audio file
 * @param durationS - the track's duration in seconds (the excerpt starts in [0, duration − 10])
 * @param model - the loaded embedding model
 * @param ffmpeg - path of the ffmpeg program (used where node-av is absent)
 * @param seed - what the draw is seeded from (e.g. the file's content hash)
 * @param encode - the chain's encoder (default `encodeVoiceNoteInProcess`; `encodeVoiceNote` runs
 *   the ffmpeg program, as views were made before)
 * @returns the clip vector (`Analysis.vector` of a query), or null when the view is silent or the
 *   track is shorter than 2 s
 * @throws SynestheteError decoding errors of {@link cutExcerpt} and the errors of `analyzeAudio`;
 *   Error when FFmpeg (in process or the program) cannot encode the excerpt
 */
export async function voiceNoteView(
  file: string,
  durationS: number,
  model: EmbeddingModel,
  ffmpeg: string,
  seed: string,
  encode: VoiceNoteEncoder = encodeVoiceNoteInProcess,
): Promise<Float32Array | null> {
  if (!(durationS >= 2)) return null;
  const rng = createRng(seedOf(seed));
  const offset = uniform(rng, 0, Math.max(0, durationS - VIEW_SECONDS));
  const pcm = await cutExcerpt(file, offset, VIEW_SECONDS);
  const ogg = await encode(pcm, CHAIN_RATE, drawVoiceNoteChain(rng), ffmpeg, rng);
  const analysis = await analyzeAudio(new Uint8Array(ogg), model, {
    query: true,
    name: 'view.ogg',
  });
  return analysis.music?.reason === 'silence' ? null : analysis.vector;
}
