/** Temporary folders for tests, removed when the test file is done. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Creates a fresh folder under the system temporary directory.
 *
 * @param prefix - readable part of the name, e.g. "cli-ingest"
 * @returns the absolute path and a `remove()` that deletes it recursively (never throws)
 */
export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `synesthete-test-${prefix}-`));
  return {
    dir,
    remove: () => rm(dir, { recursive: true, force: true }).catch(() => undefined),
  };
}
