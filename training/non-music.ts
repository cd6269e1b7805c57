/**
 * Clips that are not music, for fitting and testing the music gate (core/model/music-gate.ts):
 * one talker, several talkers at once, sox noises, a talker over noise and a quiet room, half of
 * them passed through a voice-note chain like the clips users send. The "fit" and "test" sets
 * use disjoint espeak-ng voices and sentences (training/speech.ts).
 */
import { degradeLikeVoiceNote } from '../core/audio/voice-note.js';
import { createRng, randomInt, uniform } from '../core/random.js';
import { drawAugmentation } from './augmentations.js';
import { soxNoise } from './noise-bank.js';
import { chatter, type SpeechSet, talker } from './speech.js';

/** Kinds of non-music clip, in the order they are generated. */
export const NON_MUSIC_KINDS = [
  'speech',
  'chatter',
  'noise',
  'speech+noise',
  'quiet room',
] as const;

/** A kind of non-music clip. */
export type NonMusicKind = (typeof NON_MUSIC_KINDS)[number];

/** One generated clip. */
export interface NonMusicClip {
  readonly kind: NonMusicKind;
  /** Mono Float32 PCM at the requested sample rate, in [-1, 1]. */
  readonly pcm: Float32Array;
  /** Whether it went through a voice-note chain. */
  readonly voiceNote: boolean;
}

const NOISES = ['white', 'pink', 'brown', 'hum'] as const;

function scaleToDbfs(pcm: Float32Array, dbfs: number): Float32Array {
  let energy = 0;
  for (const v of pcm) energy += v * v;
  const rms = Math.sqrt(energy / Math.max(1, pcm.length));
  if (rms === 0) return pcm;
  const gain = 10 ** (dbfs / 20) / rms;
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.max(-1, Math.min(1, pcm[i]! * gain));
  return pcm;
}

/**
 * Generates `count` clips, cycling through {@link NON_MUSIC_KINDS}; deterministic for a seed.
 *
 * @param set - "fit" or "test" voices and sentences
 * @param count - number of clips
 * @param seconds - length of each clip
 * @param sampleRate - Hz
 * @param ffmpeg - ffmpeg binary (for the voice-note chain)
 * @param seed - integer seed
 * @throws Error when espeak-ng, sox or ffmpeg fails
 */
export async function nonMusicClips(
  set: SpeechSet,
  count: number,
  seconds: number,
  sampleRate: number,
  ffmpeg: string,
  seed: number,
): Promise<NonMusicClip[]> {
  const rng = createRng(seed);
  const clips: NonMusicClip[] = [];
  for (let i = 0; i < count; i++) {
    const kind = NON_MUSIC_KINDS[i % NON_MUSIC_KINDS.length]!;
    const noise = () =>
      soxNoise(
        NOISES[randomInt(rng, 0, NOISES.length - 1)]!,
        seconds,
        sampleRate,
        randomInt(rng, 0, 96),
      );
    let pcm: Float32Array;
    if (kind === 'speech') pcm = await talker(set, seconds, sampleRate, rng);
    else if (kind === 'chatter')
      pcm = await chatter(set, randomInt(rng, 2, 5), seconds, sampleRate, rng);
    else if (kind === 'noise') pcm = await noise();
    else if (kind === 'speech+noise') {
      const speech = scaleToDbfs(await talker(set, seconds, sampleRate, rng), -20);
      const n = scaleToDbfs(await noise(), -20 - uniform(rng, 0, 20));
      pcm = speech.map((v, j) => v + (n[j] ?? 0));
    } else pcm = scaleToDbfs(await soxNoise('pink', seconds, sampleRate, i), -50);
    if (kind !== 'quiet room') scaleToDbfs(pcm, uniform(rng, -30, -12));
    const voiceNote = rng() < 0.5;
    if (voiceNote) {
      const { chain } = drawAugmentation(rng);
      pcm = await degradeLikeVoiceNote(pcm, sampleRate, { ...chain, snrDb: null }, ffmpeg, rng);
    }
    clips.push({ kind, pcm, voiceNote });
  }
  return clips;
}
