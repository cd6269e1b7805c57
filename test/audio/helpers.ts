/** Shared helpers of the audio tests. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lena from 'audio-lena';
import { expect } from 'vitest';
import { SynestheteError } from '../../core/util/errors.js';
import { demoTrack } from '../helpers/paths.js';

/** Directory of the committed audio fixtures. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/audio/', import.meta.url));

/** Path of the audio-lena fixture (12.27 s, 44.1 kHz mono) in one encoding: wav, mp3, ogg, … */
export function lenaPath(format: string): string {
  return fileURLToPath(lena.url(format));
}

/** Duration of the audio-lena fragment, seconds. */
export const LENA_SECONDS = lena.duration;

/** Runs ffmpeg (from PATH) to make a test file; throws with its stderr on failure. */
export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * Makes a 60 s stereo file of real music: on the left two demo tracks one after the other, on the
 * right two others, so that an excerpt's seek lands mid-stream and a mix-down has two different
 * channels to mix.
 *
 * @param out - the file to write (its extension names the container)
 * @param encode - ffmpeg output options: rate and codec, e.g. `['-ar', '44100', '-c:a', 'libvorbis']`
 */
export function stereoDemoMix(out: string, encode: string[]): void {
  const inputs = [
    'orchestral_fantasy__battle-epic.ogg',
    'metal_rock__chaos_god.ogg',
    'electronic__chaos-fog.ogg',
    'fantasy_rpg__town_theme.ogg',
  ].flatMap((name) => ['-i', demoTrack(name)]);
  const graph =
    '[0:a][1:a]concat=n=2:v=0:a=1[l];[2:a][3:a]concat=n=2:v=0:a=1[r];[l][r]join=inputs=2:channel_layout=stereo[out]';
  ffmpeg([...inputs, '-filter_complex', graph, '-map', '[out]', ...encode, out]);
}

/** First `fraction` of a file's bytes. */
export function truncatedBytes(file: string, fraction: number): Uint8Array {
  const bytes = readFileSync(file);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

/** Process ids of the live or zombie children of this process whose command is ffmpeg (Linux /proc). */
export function ffmpegChildren(): Array<{ pid: number; state: string }> {
  const found: Array<{ pid: number; state: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(path.join('/proc', entry, 'stat'), 'utf8');
      // pid (comm) state ppid …
      const match = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (match && match[1] === 'ffmpeg' && Number(match[3]) === process.pid) {
        found.push({ pid: Number(entry), state: match[2]! });
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Awaits `promise`, expects a SynestheteError with `code`, and returns it. */
export async function expectCode(
  promise: Promise<unknown>,
  code: string,
): Promise<SynestheteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SynestheteError);
  const coded = error as SynestheteError;
  expect(coded.code, coded.message).toBe(code);
  expect(coded.message).not.toContain('\n');
  return coded;
}

/** Pearson correlation of the first `n` samples of `a` and `b`. */
export function pearson(a: Float32Array, b: Float32Array, n: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
