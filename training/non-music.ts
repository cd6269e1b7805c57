/**
 * Clips that are not music, for fitting and testing the music gate (core/model/music-gate.ts):
 * one talker, several talkers at once, sox noises, a talker over noise and a quiet room, half of
 * them passed through a voice-note chain like the clips users send. The "fit" and "test" sets
 * use disjoint espeak-ng voices and sentences (training/speech.ts).
 *
 * {@link nonMusicFiles} takes the path a user's clip takes: clips generated at 48 kHz are encoded
 * as Ogg Opus files at 16–64 kbit/s and decoded by the engine's own decoder at the model's sample
 * rate. What the bots receive is always compressed (Telegram and WhatsApp voice notes are Opus),
 * and a codec and a resampler change the fine structure of noise that the gate looks at, so a
 * gate fitted only on clips made at the model's rate misjudges what arrives.
 */
import { decodeAudio } from '../core/audio/decode.js';
import { degradeLikeVoiceNote, encodeVoiceNote } from '../core/audio/voice-note.js';
import { createRng, randomInt, uniform } from '../core/util/random.js';
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

/** Sample rate clips are generated at before they become files (phones record at 48 kHz). */
export const FILE_SOURCE_RATE = 48_000;

/** Opus bitrates of the files, kbit/s (voice notes 16–32, re-encoded uploads up to 64). */
const FILE_OPUS_KBPS: readonly [number, number] = [16, 64];

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

/**
 * Generates non-music clips as files: {@link nonMusicClips} at {@link FILE_SOURCE_RATE}, each
 * encoded as Ogg Opus (application "audio", 16–64 kbit/s, no filtering) and decoded back by
 * core/audio/decode.ts at `sampleRate`, the way the engine reads a user's clip.
 *
 * @param set - "fit" or "test" voices and sentences
 * @param count - number of clips
 * @param seconds - length of each clip
 * @param sampleRate - Hz of the returned PCM (the model's)
 * @param ffmpeg - ffmpeg binary
 * @param seed - integer seed (deterministic for a seed)
 * @returns clips with mono Float32 PCM at `sampleRate` in [-1, 1]
 * @throws Error when espeak-ng, sox or ffmpeg fails
 */
export async function nonMusicFiles(
  set: SpeechSet,
  count: number,
  seconds: number,
  sampleRate: number,
  ffmpeg: string,
  seed: number,
): Promise<NonMusicClip[]> {
  const clips = await nonMusicClips(set, count, seconds, FILE_SOURCE_RATE, ffmpeg, seed);
  const rng = createRng(seed + 0x5eed);
  const out: NonMusicClip[] = [];
  for (const clip of clips) {
    const ogg = await encodeVoiceNote(
      clip.pcm,
      FILE_SOURCE_RATE,
      {
        bitrateKbps: randomInt(rng, FILE_OPUS_KBPS[0], FILE_OPUS_KBPS[1]),
        highpassHz: 5,
        lowpassHz: 0.49 * FILE_SOURCE_RATE,
        snrDb: null,
        reverb: null,
        gainDb: 0,
        application: 'audio',
      },
      ffmpeg,
      rng,
    );
    const decoded = await decodeAudio(new Uint8Array(ogg), { sampleRate, segments: 1 });
    out.push({ ...clip, pcm: decoded.pcm });
  }
  return out;
}
