/**
 * Fuzzing the decode path: real files of seven formats mutated (bit flips, overwritten, deleted,
 * duplicated and inserted ranges, truncation, splices of two files) and random bytes behind each
 * format's magic number, a bounded, seeded number of iterations (SYNESTHETE_FUZZ_ITERATIONS,
 * default 200; SYNESTHETE_FUZZ_SEED to replay another run). Every input must end in PCM within
 * [-1, 1] or a coded one-line error, each decode within its time cap; afterwards no ffmpeg child,
 * zombie or temporary file is left and memory has not grown without bound.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { SynestheteError } from '../../core/util/errors.js';
import { FIXTURES, ffmpeg, ffmpegChildren } from '../audio/helpers.js';
import { zombieChildren } from './processes.js';

const SR = 22050;
const ITERATIONS = Number(process.env.SYNESTHETE_FUZZ_ITERATIONS ?? 200);
const SEED = Number(process.env.SYNESTHETE_FUZZ_SEED ?? 0x5eed);
/** Per-decode cap; a decode past it is killed and reported E_DECODE_TIMEOUT (an allowed outcome). */
const DECODE_TIMEOUT_MS = 10_000;
/** Codes a hostile input may legitimately get. */
const ALLOWED = new Set(['E_DECODE', 'E_DECODE_TIMEOUT', 'E_INPUT_DURATION', 'E_INPUT_EMPTY']);
/** How much this process's resident memory may grow over the whole run. */
const MAX_RSS_GROWTH = 512 * 1024 ** 2;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAGIC: Record<string, Uint8Array> = {
  ogg: Buffer.from('OggS\0\x02', 'latin1'),
  mp3: Buffer.from('ID3\x03\0\0\0\0\0\0', 'latin1'),
  flac: Buffer.from('fLaC\0\0\0\x22', 'latin1'),
  wav: Buffer.from('RIFF\xff\xff\x00\x00WAVEfmt ', 'latin1'),
  webm: Buffer.from([0x1a, 0x45, 0xdf, 0xa3]),
  m4a: Buffer.from('\0\0\0\x20ftypM4A ', 'latin1'),
};

interface Seed {
  readonly ext: string;
  readonly bytes: Uint8Array;
}

describe(`decode fuzzing (${ITERATIONS} seeded iterations)`, () => {
  let dir: string;
  let tmpRoot: string;
  const seeds: Seed[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'synesthete-test-fuzz-'));
    tmpRoot = path.join(dir, 'decoder-tmp');
    mkdirSync(tmpRoot);
    const vorbis = path.join(FIXTURES, 'metal-madness-5s.ogg');
    seeds.push({ ext: 'ogg', bytes: readFileSync(vorbis) });
    seeds.push({ ext: 'opus', bytes: readFileSync(path.join(FIXTURES, 'voice-note.ogg')) });
    const encoders: Record<string, string[]> = {
      mp3: ['-c:a', 'libmp3lame', '-b:a', '48k'],
      wav: ['-ar', '11025', '-ac', '1'],
      flac: ['-ar', '11025', '-ac', '1'],
      m4a: ['-c:a', 'aac', '-b:a', '48k', '-movflags', '+faststart'],
      webm: ['-c:a', 'libopus', '-b:a', '24k'],
    };
    for (const [ext, args] of Object.entries(encoders)) {
      const out = path.join(dir, `seed.${ext}`);
      ffmpeg(['-i', vorbis, ...args, '-fflags', '+bitexact', out]);
      seeds.push({ ext, bytes: readFileSync(out) });
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never crashes, hangs or leaks: PCM in range or a coded one-line error', async () => {
    const random = prng(SEED);
    const int = (n: number) => Math.floor(random() * n);
    const noise = (n: number) => Uint8Array.from({ length: n }, () => int(256));
    const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;

    /** One mutated input and what was done to it (for the failure message). */
    const mutate = (): { bytes: Uint8Array; ext: string; how: string } => {
      const seed = pick(seeds);
      const src = seed.bytes;
      const at = int(src.length);
      const len = 1 + int(Math.min(4096, src.length - at));
      const kind = int(8);
      switch (kind) {
        case 0: {
          const out = Uint8Array.from(src);
          const flips = 1 + int(64);
          for (let i = 0; i < flips; i++) {
            const j = int(out.length);
            out[j] = (out[j] as number) ^ (1 << int(8));
          }
          return { bytes: out, ext: seed.ext, how: `${flips} bit flips` };
        }
        case 1: {
          const out = Uint8Array.from(src);
          out.set(noise(len).subarray(0, out.length - at), at);
          return { bytes: out, ext: seed.ext, how: `overwrite ${len} at ${at}` };
        }
        case 2:
          return {
            bytes: Buffer.concat([src.subarray(0, at), src.subarray(at + len)]),
            ext: seed.ext,
            how: `delete ${len} at ${at}`,
          };
        case 3:
          return {
            bytes: Buffer.concat([src.subarray(0, at + len), src.subarray(at)]),
            ext: seed.ext,
            how: `duplicate ${len} at ${at}`,
          };
        case 4:
          return { bytes: src.subarray(0, at), ext: seed.ext, how: `truncate at ${at}` };
        case 5:
          return {
            bytes: Buffer.concat([src.subarray(0, at), noise(len), src.subarray(at)]),
            ext: seed.ext,
            how: `insert ${len} at ${at}`,
          };
        case 6: {
          const other = pick(seeds);
          const cut = int(other.bytes.length);
          return {
            bytes: Buffer.concat([src.subarray(0, at), other.bytes.subarray(cut)]),
            ext: seed.ext,
            how: `splice ${seed.ext}[0:${at}] + ${other.ext}[${cut}:]`,
          };
        }
        default: {
          const ext = pick(Object.keys(MAGIC));
          const magic = MAGIC[ext] as Uint8Array;
          const n = int(64 * 1024);
          return {
            bytes: Buffer.concat([magic, noise(n)]),
            ext,
            how: `${ext} magic + ${n} random`,
          };
        }
      }
    };

    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    const outcomes = new Map<string, number>();
    const problems: string[] = [];
    const one = async (i: number): Promise<void> => {
      const { bytes, ext, how } = mutate();
      try {
        const audio = await decodeAudio(bytes, {
          sampleRate: SR,
          timeoutMs: DECODE_TIMEOUT_MS,
          tmpRoot,
          name: `fuzz-${i}.${ext}`,
        });
        for (const v of audio.pcm) {
          if (!(v >= -1 && v <= 1)) {
            problems.push(`#${i} ${how}: sample ${v} out of range`);
            break;
          }
        }
        outcomes.set('decoded', (outcomes.get('decoded') ?? 0) + 1);
      } catch (error) {
        const code = error instanceof SynestheteError ? error.code : 'not coded';
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        const message = error instanceof Error ? error.message : String(error);
        if (!ALLOWED.has(code) || message.includes('\n')) {
          problems.push(`#${i} ${ext} ${how}: ${code}: ${message}`);
        }
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    };
    // Two decodes at once, as the chat service's queue runs them.
    let next = 0;
    const worker = async () => {
      while (next < ITERATIONS) await one(next++);
    };
    await Promise.all([worker(), worker()]);

    process.stderr.write(
      `[fuzz] seed ${SEED}, ${ITERATIONS} inputs: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}; RSS +${((peakRss - baseRss) / 2 ** 20).toFixed(0)} MiB\n`,
    );
    expect(problems).toEqual([]);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(ITERATIONS);
    expect(peakRss - baseRss).toBeLessThan(MAX_RSS_GROWTH);
    expect(ffmpegChildren()).toEqual([]);
    expect(zombieChildren()).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
    // A bound for a loaded CI machine, not a timing assertion: 200 inputs take ~30 s on 2 cores.
  }, 300_000);
});
