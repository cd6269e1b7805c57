/**
 * The noises that augmentation mixes into music and the gate's non-music examples are made of:
 * sox's white, pink and brown noise, mains hum over room noise, and espeak-ng chatter. Each kind
 * is rendered once per sample rate and set into a cache folder, then read back.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../core/audio/process.js';
import { createRng } from '../core/util/random.js';
import { chatter, type SpeechSet } from './speech.js';

/** Kinds of noise. */
export type NoiseKind = 'white' | 'pink' | 'brown' | 'hum' | 'chatter';

/** The sox `synth` arguments of each non-speech kind (sox(1), "synth"). */
const SOX_SYNTH: Record<Exclude<NoiseKind, 'chatter'>, string[]> = {
  white: ['whitenoise'],
  pink: ['pinknoise'],
  brown: ['brownnoise'],
  // 50 Hz mains hum and its harmonics over quiet pink room noise.
  hum: ['sine', '50', 'synth', '30', 'sine', 'mix', '100', 'synth', '30', 'pinknoise', 'mix'],
};

/**
 * Renders `seconds` of a sox noise.
 *
 * @returns mono Float32 PCM at `sampleRate`, peak around 0.5
 * @throws Error when sox is missing or fails
 */
export async function soxNoise(
  kind: Exclude<NoiseKind, 'chatter'>,
  seconds: number,
  sampleRate: number,
  seed: number,
): Promise<Float32Array> {
  const args = [
    ...['-R', '-n', '-r', String(sampleRate), '-c', '1', '-e', 'floating-point', '-b', '32'],
    ...['-t', 'raw', '-', 'synth', String(seconds), ...SOX_SYNTH[kind], 'gain', '-n', '-6'],
  ];
  // -R makes sox's generators repeatable; `seed` picks where the rendered stream starts.
  const result = await runProcess('sox', [...args, 'trim', String((seed % 97) / 100)]);
  if (result.code !== 0) throw new Error(`sox failed: ${result.stderr.slice(-300)}`);
  const out = new Float32Array(result.stdout.byteLength / 4);
  Buffer.from(out.buffer).set(result.stdout);
  return out;
}

/** A cache of rendered noises. */
export interface NoiseBank {
  /** Noise sources of a kind (one or more, each ≥ 20 s). */
  get(kind: NoiseKind): readonly Float32Array[];
}

/**
 * Renders (or reads back) the bank: one recording of each sox kind and 6 of chatter (2–5 talkers),
 * 30 s each, from the `set` half of the voices.
 *
 * @param dir - cache folder (created)
 * @param sampleRate - Hz
 * @param set - which voices speak the chatter (training uses "fit")
 * @throws Error when sox or espeak-ng is missing
 */
export async function loadNoiseBank(
  dir: string,
  sampleRate: number,
  set: SpeechSet = 'fit',
): Promise<NoiseBank> {
  await mkdir(dir, { recursive: true });
  const bank = new Map<NoiseKind, Float32Array[]>();
  const kinds: NoiseKind[] = ['white', 'pink', 'brown', 'hum', 'chatter'];
  for (const kind of kinds) {
    const count = kind === 'chatter' ? 6 : 1;
    const list: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      const file = path.join(dir, `${kind}-${set}-${sampleRate}-${i}.f32`);
      let pcm: Float32Array;
      try {
        const buffer = await readFile(file);
        pcm = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
      } catch {
        pcm =
          kind === 'chatter'
            ? await chatter(set, 2 + (i % 4), 30, sampleRate, createRng(1000 + i))
            : await soxNoise(kind, 30, sampleRate, i);
        await writeFile(`${file}.tmp`, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
        await rename(`${file}.tmp`, file);
      }
      list.push(pcm);
    }
    bank.set(kind, list);
  }
  return { get: (kind) => bank.get(kind) ?? [] };
}
