/**
 * CPU time of one voice-note view (core/library/voice-note-view.ts) with the chain in the ffmpeg
 * program (`encodeVoiceNote`, as before) and in process (`encodeVoiceNoteInProcess`, node-av):
 * the encode stage alone and the whole view (excerpt, chain, analysis). CPU is this process's
 * (all threads) plus its reaped children's (the ffmpeg program), from /proc (`cpu-times.ts`, 10 ms
 * ticks); medians of `--runs` (default 11), old and new alternating.
 *
 * Run: `npm run build && node dist/bench/voice-note-view.js [--runs N] [--track FILE]`.
 *
 * @module
 */
import path from 'node:path';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../core/audio/voice-note.js';
import { encodeVoiceNoteInProcess } from '../core/audio/voice-note-node-av.js';
import {
  CHAIN_RATE,
  cutExcerpt,
  type VoiceNoteEncoder,
  voiceNoteView,
} from '../core/library/voice-note-view.js';
import { loadEmbeddingModel } from '../core/model/embedder.js';
import { createRng } from '../core/util/random.js';
import { cpuTimes } from './cpu-times.js';

/** CPU and wall milliseconds of one call. */
async function measure(run: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  const before = cpuTimes();
  const start = performance.now();
  await run();
  const wallMs = performance.now() - start;
  const after = cpuTimes();
  const cpuS = after.selfS - before.selfS + (after.childrenS - before.childrenS);
  return { cpuMs: cpuS * 1000, wallMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const runs = Number(option('--runs') ?? 11);
  const track = path.resolve(
    option('--track') ?? 'data/demo/tracks/ambient_electronic__Nebula.ogg',
  );
  const ffmpeg = (await resolveFfmpeg()).path;
  const model = await loadEmbeddingModel();
  const pcm = await cutExcerpt(track, 10, 10);
  const encoders: [string, VoiceNoteEncoder][] = [
    ['program (old)', encodeVoiceNote],
    ['in process (new)', encodeVoiceNoteInProcess],
  ];
  // Warm-up: loads node-av, the model's backend and the decode threads.
  for (const [, encode] of encoders) {
    await encode(pcm, CHAIN_RATE, EVALUATION_VOICE_NOTE, ffmpeg, createRng(1));
    await voiceNoteView(track, 30, model, ffmpeg, 'warm-up', encode);
  }
  const results = new Map<string, { cpu: number[]; wall: number[] }>();
  const record = (key: string, m: { cpuMs: number; wallMs: number }) => {
    const r = results.get(key) ?? { cpu: [], wall: [] };
    r.cpu.push(m.cpuMs);
    r.wall.push(m.wallMs);
    results.set(key, r);
  };
  for (let i = 0; i < runs; i++) {
    for (const [name, encode] of encoders) {
      record(
        `encode 10 s, ${name}`,
        await measure(() => encode(pcm, CHAIN_RATE, EVALUATION_VOICE_NOTE, ffmpeg, createRng(i))),
      );
      record(
        `whole view, ${name}`,
        await measure(() => voiceNoteView(track, 30, model, ffmpeg, `view ${i}`, encode)),
      );
    }
  }
  console.log(`${path.basename(track)}, ${runs} runs, medians:`);
  for (const [key, r] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `  ${key.padEnd(34)} CPU ${median(r.cpu).toFixed(0).padStart(4)} ms   wall ${median(r.wall).toFixed(0).padStart(4)} ms`,
    );
  }
}

await main();
