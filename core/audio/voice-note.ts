/**
 * The voice-note chain: what a phone does to music it hears in a room. Noise is added at a chosen
 * signal-to-noise ratio, then ffmpeg band-limits like a phone microphone, adds room reflections,
 * changes gain and encodes to Ogg Opus at voice-note bitrates; a second ffmpeg decodes it back to
 * PCM. Used to make training views, evaluation queries and the demo's query clip.
 */
import { spawn } from 'node:child_process';
import type { Rng } from '../util/random.js';

/** Parameters of one pass through the chain. */
export interface VoiceNoteOptions {
  /** Opus bitrate in kbit/s (WhatsApp/Telegram voice notes: 16–32). */
  readonly bitrateKbps: number;
  /** High-pass cut-off in Hz (phone microphones roll off below ~100–300 Hz). */
  readonly highpassHz: number;
  /** Low-pass cut-off in Hz (≤ 8 kHz for wide-band phone audio). */
  readonly lowpassHz: number;
  /** Signal-to-noise ratio of added pink noise in dB; `null` adds none. */
  readonly snrDb: number | null;
  /** Room reflections for ffmpeg's `aecho` (delays in ms, decays 0..1); `null` for none. */
  readonly reverb: {
    readonly delaysMs: readonly number[];
    readonly decays: readonly number[];
  } | null;
  /** Gain in dB applied before encoding. */
  readonly gainDb: number;
  /** Pitch shift in semitones at unchanged duration (ffmpeg's rubberband filter); absent: none. */
  readonly pitchSemitones?: number;
  /**
   * Tempo factor at unchanged pitch (rubberband; 1.02 plays 2 % faster, so a moment at t s of the
   * input lands at t / 1.02 s of the output); absent: 1.
   */
  readonly tempoFactor?: number;
  /**
   * libopus application: "voip" (default; what voice-note apps use) or "audio" (ffmpeg's default,
   * what an app that re-encodes an uploaded file uses).
   */
  readonly application?: 'voip' | 'audio';
}

/** The fixed chain of evaluation: 24 kbps, 200 Hz–7 kHz, pink noise at 10 dB SNR, a small room. */
export const EVALUATION_VOICE_NOTE: VoiceNoteOptions = {
  bitrateKbps: 24,
  highpassHz: 200,
  lowpassHz: 7000,
  snrDb: 10,
  reverb: { delaysMs: [23, 41, 67], decays: [0.35, 0.25, 0.15] },
  gainDb: -3,
};

/**
 * Pink (1/f) noise by Paul Kellet's refined filter of white noise ("pink noise generation",
 * musicdsp.org, 1999), scaled to unit RMS. The white noise is uniform: its spectrum is as flat as
 * Gaussian noise's, the filter's sum of seven terms brings the output close to Gaussian, and it
 * takes one draw a sample instead of two draws, a logarithm and a cosine.
 *
 * @param length - samples (≥ 0)
 * @param rng - the generator of the white noise
 * @returns `length` samples of unit RMS (all zero for `length` 0)
 */
export function pinkNoise(length: number, rng: Rng): Float32Array {
  const out = new Float32Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  let energy = 0;
  for (let i = 0; i < length; i++) {
    const white = rng() - 0.5;
    b0 = 0.99886 * b0 + white * 0.0555179;
    b1 = 0.99332 * b1 + white * 0.0750759;
    b2 = 0.969 * b2 + white * 0.153852;
    b3 = 0.8665 * b3 + white * 0.3104856;
    b4 = 0.55 * b4 + white * 0.5329522;
    b5 = -0.7616 * b5 - white * 0.016898;
    const v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362;
    b6 = white * 0.115926;
    out[i] = v;
    energy += v * v;
  }
  const scale = 1 / Math.sqrt(energy / Math.max(1, length) || 1);
  for (let i = 0; i < length; i++) out[i]! *= scale;
  return out;
}

/**
 * Adds noise to `pcm` at `snrDb` relative to the signal's RMS (in place). SNR = 20·log10(RMS of
 * signal / RMS of noise).
 *
 * @param pcm - mono Float32 PCM, modified in place
 * @param snrDb - signal-to-noise ratio in dB
 * @param rng - generator for the pink noise and for the start offset in `source`
 * @param source - noise to use (looped from a random offset; e.g. speech babble or sox noise at
 *   the same sample rate); absent: pink noise from {@link pinkNoise}
 */
export function addNoise(
  pcm: Float32Array,
  snrDb: number,
  rng: Rng,
  source?: Float32Array,
): Float32Array {
  const rmsOf = (x: Float32Array) => {
    let energy = 0;
    for (let i = 0; i < x.length; i++) energy += x[i]! * x[i]!;
    return Math.sqrt(energy / Math.max(1, x.length));
  };
  const rms = rmsOf(pcm);
  let noise: Float32Array;
  if (source && source.length > 0) {
    noise = new Float32Array(pcm.length);
    const offset = Math.floor(rng() * source.length);
    for (let i = 0; i < pcm.length; i++) noise[i] = source[(offset + i) % source.length]!;
  } else noise = pinkNoise(pcm.length, rng);
  const noiseRms = rmsOf(noise);
  if (noiseRms === 0) return pcm;
  const scale = rms / 10 ** (snrDb / 20) / noiseRms;
  for (let i = 0; i < pcm.length; i++) pcm[i]! += noise[i]! * scale;
  return pcm;
}

/** ffmpeg `-af` filter string for the band-limit, reverb and gain stages. */
export function voiceNoteFilter(options: VoiceNoteOptions): string {
  const stages: string[] = [];
  const pitch = options.pitchSemitones ?? 0;
  const tempo = options.tempoFactor ?? 1;
  if (pitch !== 0 || tempo !== 1) {
    stages.push(`rubberband=pitch=${(2 ** (pitch / 12)).toFixed(4)}:tempo=${tempo.toFixed(4)}`);
  }
  stages.push(`highpass=f=${options.highpassHz}`, `lowpass=f=${options.lowpassHz}`);
  if (options.reverb) {
    stages.push(
      `aecho=0.9:0.9:${options.reverb.delaysMs.join('|')}:${options.reverb.decays.map((d) => d.toFixed(2)).join('|')}`,
    );
  }
  stages.push(`volume=${options.gainDb.toFixed(1)}dB`, 'alimiter=limit=0.99');
  return stages.join(',');
}

function run(ffmpeg: string, args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(chunks))
        : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * Encodes mono PCM as an Ogg Opus voice note after noise, band-limiting, reverb and gain.
 *
 * @param pcm - mono Float32 PCM in [-1, 1] at `sampleRate` Hz (not modified)
 * @param sampleRate - in Hz
 * @param options - chain parameters
 * @param ffmpeg - path of the ffmpeg binary
 * @param rng - generator for the noise
 * @param noise - noise to mix in at `options.snrDb` (see {@link addNoise}); absent: pink noise
 * @returns the Ogg Opus file's bytes
 * @throws Error when ffmpeg fails
 */
export async function encodeVoiceNote(
  pcm: Float32Array,
  sampleRate: number,
  options: VoiceNoteOptions,
  ffmpeg: string,
  rng: Rng,
  noise?: Float32Array,
): Promise<Buffer> {
  const noisy = Float32Array.from(pcm);
  if (options.snrDb !== null) addNoise(noisy, options.snrDb, rng, noise);
  return encodeNoisyVoiceNote(noisy, sampleRate, options, ffmpeg);
}

/**
 * The chain after the noise, in the ffmpeg program: band-limiting, reverb, gain, pitch and tempo
 * (`voiceNoteFilter`), then Opus in Ogg. `encodeVoiceNote` without its first step, and the
 * fallback of the in-process chain (core/audio/voice-note-node-av.ts).
 *
 * @param noisy - mono Float32 PCM at `sampleRate` Hz, noise already added (not modified)
 * @param sampleRate - in Hz
 * @param options - chain parameters (`snrDb` is not read)
 * @param ffmpeg - path of the ffmpeg binary
 * @returns the Ogg Opus file's bytes
 * @throws Error when ffmpeg fails or cannot be started
 */
export function encodeNoisyVoiceNote(
  noisy: Float32Array,
  sampleRate: number,
  options: VoiceNoteOptions,
  ffmpeg: string,
): Promise<Buffer> {
  const input = Buffer.from(noisy.buffer, noisy.byteOffset, noisy.byteLength);
  return run(
    ffmpeg,
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'f32le', '-ar', String(sampleRate)],
      ...['-ac', '1', '-i', 'pipe:0', '-af', voiceNoteFilter(options), '-c:a', 'libopus'],
      ...['-b:a', `${options.bitrateKbps}k`, '-application', options.application ?? 'voip'],
      ...['-f', 'ogg', 'pipe:1'],
    ],
    input,
  );
}

/**
 * Runs PCM through the whole chain and decodes it back: what the model hears from a voice note.
 *
 * @returns mono Float32 PCM at `sampleRate`, about as long as the input divided by the tempo factor
 * @throws Error when ffmpeg fails
 */
export async function degradeLikeVoiceNote(
  pcm: Float32Array,
  sampleRate: number,
  options: VoiceNoteOptions,
  ffmpeg: string,
  rng: Rng,
  noise?: Float32Array,
): Promise<Float32Array> {
  const ogg = await encodeVoiceNote(pcm, sampleRate, options, ffmpeg, rng, noise);
  const raw = await run(
    ffmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      'pipe:0',
      '-f',
      'f32le',
      '-ac',
      '1',
      '-ar',
      String(sampleRate),
      'pipe:1',
    ],
    ogg,
  );
  const out = new Float32Array(raw.byteLength / 4);
  Buffer.from(out.buffer).set(raw);
  return out;
}
