/**
 * Makes the demo's query clip: a 10 s cut of a demo track passed through the evaluation
 * voice-note chain (pink noise at 10 dB SNR, 200 Hz–7 kHz, small-room reflections, 24 kbps Opus).
 *   npx tsx scripts/make-demo-query.ts [TRACK] [OFFSET_S] [OUT]
 */
import { writeFile } from 'node:fs/promises';
import { decodeAudio } from '../core/audio/decode.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../core/audio/voice-note.js';
import { createRng } from '../core/util/random.js';

const [
  track = 'data/demo/tracks/metal_rock__chaos_god.ogg',
  offset = '12',
  out = 'data/demo/queries/voice-note.ogg',
] = process.argv.slice(2);
const sampleRate = 48000;
const decoded = await decodeAudio(track, { sampleRate });
const start = Math.round(Number(offset) * sampleRate);
const cut = decoded.pcm.slice(start, start + 10 * sampleRate);
const ogg = await encodeVoiceNote(
  cut,
  sampleRate,
  EVALUATION_VOICE_NOTE,
  (await resolveFfmpeg()).path,
  createRng(42),
);
await writeFile(out, ogg);
console.log(`${out}: ${ogg.byteLength} bytes, 10 s of ${track} from ${offset} s`);
