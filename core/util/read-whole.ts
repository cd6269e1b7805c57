/**
 * Reading a large file while the thread is busy. `fs.promises.readFile` reads 512 KiB at a time and
 * needs a turn of the event loop for each piece, so on a thread that is running other work (a
 * starting PGlite, the first clip's analysis) a 30 MB index file takes as long as that work;
 * here the file is read in one request to the thread pool (or a few, where the kernel returns
 * less), whatever the thread is doing meanwhile.
 *
 * @module
 */
import { open } from 'node:fs/promises';

/**
 * Reads all of `path` into one buffer with as few reads as the kernel allows.
 *
 * @param path - a regular file
 * @returns its bytes (a Buffer of its own, offset 0, so any typed-array view of it is aligned)
 * @throws Error from `open`/`read` (ENOENT, EACCES, EISDIR, …); Error when the file shrinks while
 *   it is read
 */
export async function readWholeFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) throw new Error(`${path} ended after ${done} of ${size} bytes`);
      done += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}
