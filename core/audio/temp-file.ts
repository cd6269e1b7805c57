/**
 * Private temporary files for byte inputs. ffmpeg needs a seekable file for containers whose
 * index sits at the end (M4A/MP4 without "faststart") and for `-ss` seeking, so uploaded bytes are
 * written to a fresh directory (mode 0700, file mode 0600) under `os.tmpdir()` and removed after.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { debugFailure } from '../util/debug-log.js';

/** Prefix of the directories {@link writeTempInput} creates. */
export const TEMP_DIR_PREFIX = 'synesthete-decode-';

/** A byte input written to disk. */
export interface TempInput {
  /** Absolute path of the file. */
  readonly path: string;
  /** Absolute path of the private directory that holds it. */
  readonly dir: string;
  /** Removes the directory and the file; never throws; safe to call twice. */
  cleanup(): Promise<void>;
}

/**
 * Writes `bytes` to a new private temporary directory.
 *
 * @param bytes - the input
 * @param name - original file name, if known; only a short alphanumeric extension is kept, as a
 *   format hint for ffmpeg (content sniffing does the rest)
 * @param root - parent directory (default `os.tmpdir()`)
 * @returns the file and its cleanup
 * @throws the file-system error (e.g. ENOSPC) after removing what was created
 */
export async function writeTempInput(
  bytes: Uint8Array,
  name?: string,
  root: string = os.tmpdir(),
): Promise<TempInput> {
  const dir = await mkdtemp(path.join(root, TEMP_DIR_PREFIX));
  const cleanup = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
      debugFailure(`removing the temporary folder ${dir}`, error);
    });
  };
  try {
    await chmod(dir, 0o700);
    const ext = path.extname(name ?? '').toLowerCase();
    const file = path.join(dir, `input${/^\.[a-z0-9]{1,8}$/.test(ext) ? ext : ''}`);
    await writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
    return { path: file, dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
