/**
 * Audio made by the tests themselves with ffmpeg: voice-note-like Opus cuts of demo tracks and
 * broken files.
 */
import { spawn } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BAD_FIXTURES_DIR } from './paths.js';

/** The ffmpeg binary the engine would use: `FFMPEG_PATH`, else `ffmpeg` on PATH. */
export function ffmpegBinary(): string {
  return process.env.FFMPEG_PATH ?? 'ffmpeg';
}

/** Runs ffmpeg with `args`; rejects with its stderr when it exits non-zero. */
export function ffmpeg(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegBinary(), ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
  });
}

/**
 * Cuts `seconds` from `source` starting at `startS` and encodes it like a phone voice note:
 * mono Ogg Opus at `bitrateKbps` (default 24) kbit/s, `-application voip`.
 *
 * @returns `dest`
 */
export async function makeOpusCut(
  source: string,
  dest: string,
  options: { startS: number; seconds: number; bitrateKbps?: number },
): Promise<string> {
  await ffmpeg([
    ...['-ss', String(options.startS), '-t', String(options.seconds), '-i', source],
    ...['-ac', '1', '-c:a', 'libopus', '-b:a', `${options.bitrateKbps ?? 24}k`],
    ...['-application', 'voip', '-f', 'ogg', dest],
  ]);
  return dest;
}

/** Three inputs the engine must refuse, each with a one-line reason. */
export interface BadFiles {
  /** A text file named .mp3. */
  readonly notAudio: string;
  /** A 0-byte .ogg. */
  readonly empty: string;
  /** The first half of the bytes of a real Ogg Vorbis file. */
  readonly truncated: string;
}

/**
 * Puts the bad inputs into `dir`: the two committed fixtures, and a truncated copy of `oggSource`.
 *
 * @param dir - target folder (exists)
 * @param oggSource - an Ogg file whose first half becomes `truncated.ogg`
 */
export async function makeBadFiles(dir: string, oggSource: string): Promise<BadFiles> {
  const notAudio = path.join(dir, 'not-audio.mp3');
  const empty = path.join(dir, 'empty.ogg');
  const truncated = path.join(dir, 'truncated.ogg');
  await copyFile(path.join(BAD_FIXTURES_DIR, 'not-audio.mp3'), notAudio);
  await copyFile(path.join(BAD_FIXTURES_DIR, 'empty.ogg'), empty);
  const bytes = await readFile(oggSource);
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
  return { notAudio, empty, truncated };
}
