/**
 * Synthetic speech from espeak-ng, for chatter augmentation and for the non-music examples of the
 * music/non-music gate. Voices and sentences are split in two disjoint sets, so the gate is tested
 * on voices and words it was not fitted on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../core/audio/process.js';
import { type Rng, randomInt, uniform } from '../core/util/random.js';

/** Sentences spoken by the fitting voices. */
const FIT_SENTENCES = [
  'Did you hear what happened at the meeting this morning',
  'I think we should leave a bit earlier tomorrow because of the traffic',
  'The train was late again so I missed the first half of the lecture',
  'Could you pass me the salt please, thanks a lot',
  'My sister just moved to a new flat near the river',
  'We are going to need more chairs for the party on Saturday',
  'Honestly I have no idea where I left my keys',
  'The weather forecast says it will rain all weekend',
  'Let me call you back in five minutes, I am driving',
  'This coffee is much better than the one we had yesterday',
  'Remember to send the report before the end of the day',
  'Have you seen the new film everyone is talking about',
  'Wie geht es dir heute, hast du gut geschlafen',
  'Je pense que nous devrions partir maintenant',
  'Ik heb vandaag veel te doen op het werk',
];

/** Sentences spoken by the test voices (none is in the fitting set). */
const TEST_SENTENCES = [
  'So the plan is to meet at the station at half past six',
  'I told him twice already but he never listens to me',
  'The kids want pizza again, can you believe it',
  'Our flight was cancelled and we had to wait for hours',
  'Please write down the phone number before you forget it',
  'The shop on the corner closes early on Sundays',
  'He said the exam was easier than last year',
  'We should really fix the window before winter comes',
  'Ma quando arriva il prossimo autobus per il centro',
  'Necesito comprar pan y leche antes de volver a casa',
  'O jantar vai ficar pronto em dez minutos',
];

/** espeak-ng voices (language + variant) of the two sets. */
const FIT_VOICES = ['en+m1', 'en+m3', 'en+f1', 'en+f3', 'en-us+m2', 'de+m4', 'fr+f2', 'nl+m1'];
const TEST_VOICES = ['en+m5', 'en+m7', 'en+f2', 'en+f4', 'en-us+f5', 'it+m2', 'es+f1', 'pt+m6'];

/** Which half of the voices and sentences to use. */
export type SpeechSet = 'fit' | 'test';

/**
 * Speaks `text` with espeak-ng.
 *
 * @param text - what to say
 * @param voice - espeak-ng voice, e.g. "en+f3"
 * @param wordsPerMinute - speed (espeak-ng -s, 80–450)
 * @param pitch - espeak-ng pitch, 0–99
 * @param sampleRate - output rate in Hz
 * @returns mono Float32 PCM in [-1, 1] at `sampleRate`
 * @throws Error when espeak-ng or sox is missing or fails
 */
export async function speak(
  text: string,
  voice: string,
  wordsPerMinute: number,
  pitch: number,
  sampleRate: number,
): Promise<Float32Array> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'synesthete-speech-'));
  try {
    const wav = path.join(dir, 'speech.wav');
    const said = await runProcess('espeak-ng', [
      ...['-v', voice, '-s', String(Math.round(wordsPerMinute))],
      ...['-p', String(Math.round(pitch)), '-w', wav, text],
    ]);
    if (said.code !== 0) throw new Error(`espeak-ng failed: ${said.stderr.slice(-300)}`);
    const raw = await runProcess('sox', [
      wav,
      ...[
        '-r',
        String(sampleRate),
        '-c',
        '1',
        '-e',
        'floating-point',
        '-b',
        '32',
        '-t',
        'raw',
        '-',
      ],
    ]);
    if (raw.code !== 0) throw new Error(`sox failed: ${raw.stderr.slice(-300)}`);
    const out = new Float32Array(raw.stdout.byteLength / 4);
    Buffer.from(out.buffer).set(raw.stdout);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * One talker: random sentences of `set` with one random voice, with short pauses, until
 * `seconds` are filled.
 *
 * @returns mono Float32 PCM at `sampleRate`, exactly `seconds` long
 */
export async function talker(
  set: SpeechSet,
  seconds: number,
  sampleRate: number,
  rng: Rng,
): Promise<Float32Array> {
  const voices = set === 'fit' ? FIT_VOICES : TEST_VOICES;
  const sentences = set === 'fit' ? FIT_SENTENCES : TEST_SENTENCES;
  const voice = voices[randomInt(rng, 0, voices.length - 1)]!;
  const speed = uniform(rng, 130, 190);
  const pitch = uniform(rng, 25, 75);
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let at = Math.floor(uniform(rng, 0, 0.8) * sampleRate);
  while (at < out.length) {
    const text = sentences[randomInt(rng, 0, sentences.length - 1)]!;
    const pcm = await speak(text, voice, speed, pitch, sampleRate);
    out.set(pcm.subarray(0, out.length - at), at);
    at += pcm.length + Math.floor(uniform(rng, 0.15, 0.9) * sampleRate);
  }
  return out;
}

/**
 * Chatter: `talkers` people speaking at once (each its own voice, level within ±6 dB), the
 * background of a bar or a party.
 *
 * @returns mono Float32 PCM at `sampleRate`, `seconds` long, peak-normalised to 0.5
 */
export async function chatter(
  set: SpeechSet,
  talkers: number,
  seconds: number,
  sampleRate: number,
  rng: Rng,
): Promise<Float32Array> {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < talkers; i++) {
    const voice = await talker(set, seconds, sampleRate, rng);
    const gain = 10 ** (uniform(rng, -6, 6) / 20);
    for (let s = 0; s < out.length; s++) out[s]! += gain * voice[s]!;
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let s = 0; s < out.length; s++) out[s]! *= 0.5 / peak;
  return out;
}
