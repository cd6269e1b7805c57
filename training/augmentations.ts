/**
 * The audio-level augmentations of training in one config, as issue "Model quality" asks: what
 * the audio goes through before the spectrogram is cached (a voice-note chain drawn at random per
 * view). What the sampler then does to spectrogram windows (time offsets, SpecAugment masks,
 * tilt, band shift) is `DEFAULT_SAMPLER` in training/sampler.ts. Change a range here and the next
 * cache build and run use it.
 */
import type { VoiceNoteOptions } from '../core/audio/voice-note.js';
import { type Rng, uniform } from '../core/util/random.js';
import type { NoiseKind } from './noise-bank.js';

/** Ranges the audio-level augmentation draws from, one pass of the voice-note chain per view. */
export const AUDIO_AUGMENTATIONS = {
  /** Degraded views cached per track (each an independent draw). */
  views: 2,
  /** Opus re-encoding at voice-note bitrates (WhatsApp/Telegram voice notes: 16–32 kbit/s). */
  reencode: { bitrateKbps: [16, 32] },
  /** Band-limiting like a phone microphone: high-pass and low-pass cut-offs in Hz. */
  bandLimit: { highpassHz: [100, 400], lowpassHz: [3500, 8000] },
  /**
   * Additive noise at a signal-to-noise ratio in dB: sox noise (white, pink, brown, mains hum) or
   * speech chatter of espeak-ng voices, with the share of each kind.
   */
  noise: {
    probability: 0.8,
    snrDb: [0, 20],
    kinds: { chatter: 0.4, pink: 0.2, brown: 0.15, white: 0.1, hum: 0.15 } as Record<
      NoiseKind,
      number
    >,
  },
  /** Room reflections (ffmpeg aecho): two taps, delays in ms and decays. */
  reverb: { probability: 0.6, delaysMs: [10, 90], decays: [0.1, 0.5] },
  /** Gain before encoding, dB (a quiet or a close phone; a limiter catches overs). */
  gainDb: [-12, 3],
  /** Pitch shift in semitones at unchanged duration (rubberband). */
  pitch: { probability: 0.3, semitones: [-1, 1] },
  /** Tempo factor at unchanged pitch (rubberband); the sampler maps time through it. */
  tempo: { probability: 0.3, factor: [0.96, 1.04] },
} as const;

/** One drawn view: the chain's options and which noise to mix in. */
export interface AugmentationDraw {
  readonly chain: VoiceNoteOptions;
  readonly noiseKind: NoiseKind | null;
}

function pickWeighted<K extends string>(weights: Record<K, number>, rng: Rng): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [k, w] of entries) {
    r -= w;
    if (r <= 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/**
 * Draws one view's augmentation from {@link AUDIO_AUGMENTATIONS}; reproducible for a seeded `rng`.
 */
export function drawAugmentation(rng: Rng): AugmentationDraw {
  const a = AUDIO_AUGMENTATIONS;
  const noisy = rng() < a.noise.probability;
  const noiseKind = noisy ? pickWeighted(a.noise.kinds, rng) : null;
  const snrDb = uniform(rng, a.noise.snrDb[0], a.noise.snrDb[1]);
  const reverb =
    rng() < a.reverb.probability
      ? {
          delaysMs: [
            uniform(rng, a.reverb.delaysMs[0], 40),
            uniform(rng, 40, a.reverb.delaysMs[1]),
          ].map(Math.round),
          decays: [uniform(rng, 0.2, a.reverb.decays[1]), uniform(rng, a.reverb.decays[0], 0.3)],
        }
      : null;
  const pitchSemitones =
    rng() < a.pitch.probability ? uniform(rng, a.pitch.semitones[0], a.pitch.semitones[1]) : 0;
  const tempoFactor =
    rng() < a.tempo.probability ? uniform(rng, a.tempo.factor[0], a.tempo.factor[1]) : 1;
  return {
    noiseKind,
    chain: {
      bitrateKbps: Math.round(uniform(rng, a.reencode.bitrateKbps[0], a.reencode.bitrateKbps[1])),
      highpassHz: Math.round(uniform(rng, a.bandLimit.highpassHz[0], a.bandLimit.highpassHz[1])),
      lowpassHz: Math.round(uniform(rng, a.bandLimit.lowpassHz[0], a.bandLimit.lowpassHz[1])),
      snrDb: noisy ? snrDb : null,
      reverb,
      gainDb: uniform(rng, a.gainDb[0], a.gainDb[1]),
      pitchSemitones: Number(pitchSemitones.toFixed(3)),
      tempoFactor: Number(tempoFactor.toFixed(4)),
    },
  };
}
