/**
 * Landmark fingerprint speed (core/fingerprint/): CPU time to fingerprint three minutes of music
 * (the demo tracks decoded at 22,050 Hz and joined end to end), the size of an index of every
 * demo track, and the time of one query (fingerprint of a 10 s voice note + index look-up and
 * offset vote). Prints nothing itself and asserts nothing; median of `RUNS` runs after a warm-up.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeAudio } from '../core/audio/decode.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../core/audio/voice-note.js';
import { fingerprintPcm } from '../core/fingerprint/fingerprint.js';
import { LandmarkIndex } from '../core/fingerprint/landmark-index.js';
import { matchLandmarks } from '../core/fingerprint/match.js';
import { FINGERPRINT_VERSION } from '../core/fingerprint/params.js';
import { pickLandmarkMatch } from '../core/fingerprint/thresholds.js';
import { createRng } from '../core/util/random.js';

const RUNS = 5;
const QUERY_RUNS = 20;
const SAMPLE_RATE = 22_050;
const TRACK_SECONDS = 180;
const CLIP_SECONDS = 10;

/** What {@link measureFingerprint} reports. */
export interface FingerprintBench {
  /** Seconds of music fingerprinted per run. */
  readonly trackSeconds: number;
  /** CPU milliseconds (user + system) to fingerprint them, median. */
  readonly trackCpuMs: number;
  /** Wall milliseconds, median. */
  readonly trackWallMs: number;
  /** Hashes per second of music. */
  readonly hashesPerSecond: number;
  /** Tracks and postings of the demo index, and its build time in ms (fingerprints made before). */
  readonly index: { readonly tracks: number; readonly postings: number; readonly buildMs: number };
  /** Query: fingerprint of the 10 s clip + match, ms, median and p95 (nearest rank). */
  readonly queryMs: { readonly p50: number; readonly p95: number };
  /** The match alone (index look-ups + offset vote) for that clip, ms, median. */
  readonly matchMs: number;
  /** CPU ms of one query (fingerprint + match), median. */
  readonly queryCpuMs: number;
  /** Whether the clip was named as its own track, and the offset error in seconds. */
  readonly identified: boolean;
  readonly offsetErrorS: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
}

function p95(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.95 * s.length) - 1)] ?? Number.NaN;
}

/**
 * Measures fingerprinting and matching on the demo tracks.
 *
 * @param tracksDir - folder of audio files (the demo tracks)
 * @throws Error when the folder holds no decodable audio
 */
export async function measureFingerprint(tracksDir: string): Promise<FingerprintBench> {
  const names = (await readdir(tracksDir)).filter((n) => /\.(ogg|mp3|flac|wav)$/i.test(n)).sort();
  const decoded: Float32Array[] = [];
  for (const name of names) {
    const d = await decodeAudio(path.join(tracksDir, name), { sampleRate: SAMPLE_RATE });
    decoded.push(d.pcm);
  }
  if (decoded.length === 0) throw new Error(`no audio in ${tracksDir}`);
  // Three minutes of real music: demo tracks joined end to end.
  const long = new Float32Array(TRACK_SECONDS * SAMPLE_RATE);
  for (let at = 0, i = 0; at < long.length; i++) {
    const part = decoded[i % decoded.length]!.subarray(0, long.length - at);
    long.set(part, at);
    at += part.length;
  }
  const cpu: number[] = [];
  const wall: number[] = [];
  let hashes = 0;
  for (let r = 0; r <= RUNS; r++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    hashes = fingerprintPcm(long, SAMPLE_RATE).hashes.length;
    const w = performance.now() - w0;
    const c = process.cpuUsage(c0);
    if (r === 0) continue;
    wall.push(w);
    cpu.push((c.user + c.system) / 1000);
  }
  const prints = decoded.map((pcm, i) => ({ trackId: i + 1, ...fingerprintPcm(pcm, SAMPLE_RATE) }));
  const b0 = performance.now();
  const index = LandmarkIndex.build(prints, FINGERPRINT_VERSION);
  const buildMs = performance.now() - b0;

  const ffmpeg = (await resolveFfmpeg()).path;
  const target = Math.min(2, decoded.length - 1);
  const startS = 8;
  const source = decoded[target]!.subarray(
    startS * SAMPLE_RATE,
    (startS + CLIP_SECONDS) * SAMPLE_RATE,
  );
  const ogg = await encodeVoiceNote(
    source,
    SAMPLE_RATE,
    EVALUATION_VOICE_NOTE,
    ffmpeg,
    createRng(1),
  );
  const clip = (await decodeAudio(ogg, { sampleRate: SAMPLE_RATE, name: 'clip.ogg' })).pcm;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const matchTimes: number[] = [];
  let match: ReturnType<typeof pickLandmarkMatch>;
  for (let r = 0; r <= QUERY_RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const print = fingerprintPcm(clip, SAMPLE_RATE);
    const t1 = performance.now();
    match = pickLandmarkMatch(matchLandmarks(index, print));
    const t2 = performance.now();
    const c = process.cpuUsage(c0);
    if (r === 0) continue;
    times.push(t2 - t0);
    matchTimes.push(t2 - t1);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  return {
    trackSeconds: TRACK_SECONDS,
    trackCpuMs: median(cpu),
    trackWallMs: median(wall),
    hashesPerSecond: hashes / TRACK_SECONDS,
    index: { tracks: index.trackCount, postings: index.size, buildMs },
    queryMs: { p50: median(times), p95: p95(times) },
    matchMs: median(matchTimes),
    queryCpuMs: median(cpuTimes),
    identified: match?.trackId === target + 1,
    offsetErrorS: match ? Math.abs(match.offsetS - startS) : Number.NaN,
  };
}
