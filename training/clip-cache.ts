/**
 * A disk cache of gate clips as log-mel spectrograms, so that refitting the music gate does not
 * make the same speech, noise and real-sound clips again (each costs espeak-ng, sox or ffmpeg
 * runs and a decode). One entry is two files: KEY.json (kind, loudness and frame count of each
 * clip, and the mel count) and KEY.f32 (the clips' log-mel values, one after another).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SpectrogramLike } from '../core/model/windows.js';

/** One cached clip. */
export interface CachedClip {
  /** What it is (a kind of training/non-music.ts or training/real-sounds.ts). */
  readonly kind: string;
  /** RMS level of its PCM, dBFS. */
  readonly loudnessDb: number;
  /** Its log-mel spectrogram (the model's parameters). */
  readonly spectrogram: SpectrogramLike;
}

/**
 * The cache key of a list of clips: a SHA-1 of everything that decides them (JSON of `parts`).
 *
 * @param parts - e.g. the generator's name, count, seed and the model's feature parameters
 * @returns 40 hex digits
 */
export function clipCacheKey(parts: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Reads the clips of `key` from `dir`, or makes them with `make` and stores them.
 *
 * @param dir - cache folder (created)
 * @param key - from {@link clipCacheKey}
 * @param make - makes the clips when they are not cached
 * @returns the clips, in the order `make` gave them
 * @throws whatever `make` throws; Error when the folder cannot be written
 */
export async function cachedClips(
  dir: string,
  key: string,
  make: () => Promise<CachedClip[]>,
): Promise<CachedClip[]> {
  const index = path.join(dir, `${key}.json`);
  try {
    const meta = JSON.parse(await readFile(index, 'utf8')) as {
      nMels: number;
      clips: Array<{ kind: string; loudnessDb: number; frames: number }>;
    };
    const buffer = await readFile(path.join(dir, `${key}.f32`));
    const all = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
    let at = 0;
    return meta.clips.map((c) => {
      const data = all.subarray(at, at + c.frames * meta.nMels);
      at += data.length;
      return {
        kind: c.kind,
        loudnessDb: c.loudnessDb,
        spectrogram: { data, frames: c.frames, nMels: meta.nMels },
      };
    });
  } catch {
    // Not cached (or unreadable): make them.
  }
  const clips = await make();
  await mkdir(dir, { recursive: true });
  const parts = clips.map((c) =>
    c.spectrogram.data.subarray(0, c.spectrogram.frames * c.spectrogram.nMels),
  );
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  await writeFile(path.join(dir, `${key}.f32.tmp`), Buffer.from(all.buffer));
  await rename(path.join(dir, `${key}.f32.tmp`), path.join(dir, `${key}.f32`));
  const meta = {
    nMels: clips[0]?.spectrogram.nMels ?? 0,
    clips: clips.map((c) => ({
      kind: c.kind,
      loudnessDb: c.loudnessDb,
      frames: c.spectrogram.frames,
    })),
  };
  await writeFile(index, JSON.stringify(meta));
  return clips;
}
