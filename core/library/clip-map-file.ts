/**
 * A fitted clip map (`clip-map.ts`) kept in a file beside the index files, so that a process
 * starting on an unchanged catalogue reads it instead of reading every voice-note view and
 * fitting again.
 *
 * Layout (little-endian): the 8 ASCII bytes `SYNCMAP1`, a uint32 byte length of a UTF-8 JSON
 * header `{ key, dim, pairs }`, the header, padding to a multiple of 8 bytes, then the float64
 * arrays `clipMean` (d), `offset` (d), `basis` (n × d), `residuals` (n × d) and `factor` (n × n),
 * with n = `pairs`. `pairs` 0 records that the catalogue has too few views for a map (no arrays).
 * The `key` says what the map was fitted from (the caller's choice: catalogue version, model
 * version, settings); a file with another key is not used.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { debugFailure } from '../util/debug-log.js';
import type { ClipMap } from './clip-map.js';

const MAGIC = 'SYNCMAP1';

/** Byte offset of the first array: after magic, header length and header, rounded up to 8. */
function arraysStart(headerBytes: number): number {
  return Math.ceil((MAGIC.length + 4 + headerBytes) / 8) * 8;
}

/**
 * Writes `map` (or the absence of one) to `file` under `key`, whole or not at all (a temporary
 * file renamed into place).
 *
 * @param file - where to write
 * @param key - what the map was fitted from
 * @param map - the fitted map, or undefined for "too few views"
 * @throws the file system's errors
 */
export async function writeClipMapFile(
  file: string,
  key: string,
  map: ClipMap | undefined,
): Promise<void> {
  const n = map?.pairs ?? 0;
  const dim = map?.dim ?? 0;
  const header = Buffer.from(JSON.stringify({ key, dim, pairs: n }), 'utf8');
  const start = arraysStart(header.length);
  const arrays = map ? [map.clipMean, map.offset, map.basis, map.residuals, map.factor] : [];
  const total = start + arrays.reduce((s, a) => s + a.byteLength, 0);
  const bytes = Buffer.alloc(total);
  bytes.write(MAGIC, 0, 'latin1');
  bytes.writeUInt32LE(header.length, MAGIC.length);
  header.copy(bytes, MAGIC.length + 4);
  let at = start;
  for (const a of arrays) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(bytes, at);
    at += a.byteLength;
  }
  const tmp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Reads a clip map written by {@link writeClipMapFile} under the same `key`.
 *
 * @param file - where it was written
 * @param key - what the map must have been fitted from
 * @returns `{ map }` (map undefined: the catalogue had too few views), or null when the file is
 *   missing, damaged, or was written under another key (never throws)
 */
export async function readClipMapFile(
  file: string,
  key: string,
): Promise<{ map: ClipMap | undefined } | null> {
  try {
    const bytes = await readFile(file);
    if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) {
      return null;
    }
    const headerBytes = bytes.readUInt32LE(MAGIC.length);
    const header = JSON.parse(
      bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerBytes),
    ) as { key?: unknown; dim?: unknown; pairs?: unknown };
    const { dim, pairs: n } = header;
    if (header.key !== key || !Number.isInteger(dim) || !Number.isInteger(n)) return null;
    const d = dim as number;
    const pairs = n as number;
    if (pairs === 0) return { map: undefined };
    const lengths = [d, d, pairs * d, pairs * d, pairs * pairs];
    const start = arraysStart(headerBytes);
    if (bytes.length !== start + 8 * lengths.reduce((s, l) => s + l, 0)) return null;
    let at = start;
    const [clipMean, offset, basis, residuals, factor] = lengths.map((length) => {
      // A copy: the file's bytes need not sit at a multiple of 8 in memory.
      const a = new Float64Array(length);
      Buffer.from(a.buffer).set(bytes.subarray(at, at + 8 * length));
      at += 8 * length;
      return a;
    }) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    return { map: { dim: d, clipMean, offset, basis, residuals, factor, pairs } };
  } catch (error) {
    debugFailure(`reading the clip map ${file}`, error);
    return null;
  }
}
