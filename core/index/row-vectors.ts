/**
 * The full-dimension vectors of an index's items by row, read one row at a time: kept in memory
 * while an index is being built, and in a file (read with positioned reads, one row per call) once
 * it is saved, so that a serving process holds only the compact graph in memory and the operating
 * system's page cache holds the rows that are read.
 *
 * File layout (little-endian): the 4 bytes `SYRV`, then u32 format version (1), u32 dimension,
 * u32 row count; then one u32 label per row; then the rows, `count × dim` float32, each row
 * L2-normalised. The size must match exactly.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SynestheteError } from '../util/errors.js';

const MAGIC = 0x56525953; // 'SYRV' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 16;

/** Full-dimension, unit-length vectors by row. */
export interface RowVectors {
  /** Vector dimension. */
  readonly dim: number;
  /** Number of rows. */
  readonly size: number;
  /**
   * Copies row `row` (unit length) into `out`.
   *
   * @param row - integer in [0, size)
   * @param out - `dim` values, overwritten
   * @throws SynestheteError `E_INTERNAL` for a row out of range; `E_EMPTY_CATALOG` when a file
   *   row cannot be read
   */
  read(row: number, out: Float32Array): void;
}

/** Rows held in memory: the caller's vectors, scaled to unit length when read (no copy made). */
export class MemoryRowVectors implements RowVectors {
  readonly dim: number;
  readonly #vectors: readonly Float32Array[];
  readonly #inverseNorms: Float32Array;

  /**
   * @param vectors - `dim`-length vectors (not copied: they must not change afterwards)
   * @param dim - their dimension
   */
  constructor(vectors: readonly Float32Array[], dim: number) {
    this.dim = dim;
    this.#vectors = vectors;
    this.#inverseNorms = Float32Array.from(vectors, (v) => {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
      return s > 0 ? 1 / Math.sqrt(s) : 0;
    });
  }

  get size(): number {
    return this.#vectors.length;
  }

  read(row: number, out: Float32Array): void {
    const v = this.#vectors[row];
    if (v === undefined) throw rowError(row, this.size);
    const scale = this.#inverseNorms[row]!;
    for (let i = 0; i < this.dim; i++) out[i] = v[i]! * scale;
  }
}

/** Closes a file row store's descriptor once the store is garbage-collected. */
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/**
 * Row files up to this many bytes of vectors are read into memory whole when opened (a few
 * thousand tracks): a positioned read per row costs more than the rows take in memory.
 */
export const RESIDENT_ROWS_MAX_BYTES = 16 << 20;

/**
 * Rows in a file written by {@link writeRowVectors}. A small file's rows are read into memory
 * when it is opened ({@link RESIDENT_ROWS_MAX_BYTES}); a larger file stays open for the life of the
 * object (closed when it is garbage-collected). Either way a newer file renamed over the same path
 * does not change what this object reads.
 */
export class FileRowVectors implements RowVectors {
  readonly dim: number;
  readonly size: number;
  /** The label of each row. */
  readonly labels: Uint32Array;
  /** The open file, or -1 when the rows are in {@link #resident}. */
  readonly #fd: number;
  readonly #dataOffset: number;
  readonly #resident: Float32Array | undefined;

  private constructor(
    fd: number,
    dim: number,
    labels: Uint32Array,
    resident: Float32Array | undefined,
  ) {
    this.#fd = fd;
    this.dim = dim;
    this.size = labels.length;
    this.labels = labels;
    this.#dataOffset = HEADER_BYTES + labels.length * 4;
    this.#resident = resident;
    if (fd >= 0) closer.register(this, fd);
  }

  /** Whether the rows were read into memory when the file was opened. */
  get resident(): boolean {
    return this.#resident !== undefined;
  }

  /**
   * Opens a row file and checks its header and size.
   *
   * @param path - file written by {@link writeRowVectors}
   * @param dim - the dimension expected
   * @param residentMaxBytes - rows of at most this many bytes in all are read into memory now
   *   (default {@link RESIDENT_ROWS_MAX_BYTES}; 0 keeps every file on disk)
   * @throws Error naming what is wrong (missing, truncated, another dimension or format)
   */
  static open(
    path: string,
    dim: number,
    residentMaxBytes = RESIDENT_ROWS_MAX_BYTES,
  ): FileRowVectors {
    const fd = openSync(path, 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      if (readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) {
        throw new Error('row file is shorter than its header');
      }
      if (header.readUInt32LE(0) !== MAGIC || header.readUInt32LE(4) !== VERSION) {
        throw new Error('not a row file of this version');
      }
      if (header.readUInt32LE(8) !== dim) throw new Error(`row file is not ${dim}-dimensional`);
      const count = header.readUInt32LE(12);
      if (fstatSync(fd).size !== HEADER_BYTES + count * 4 + count * dim * 4) {
        throw new Error('row file is truncated or has trailing bytes');
      }
      const labels = new Uint32Array(count);
      const bytes = new Uint8Array(labels.buffer);
      if (count > 0 && readSync(fd, bytes, 0, bytes.length, HEADER_BYTES) !== bytes.length) {
        throw new Error('row file is truncated');
      }
      const rowBytes = count * dim * 4;
      if (rowBytes > residentMaxBytes) return new FileRowVectors(fd, dim, labels, undefined);
      const resident = new Float32Array(count * dim);
      const data = new Uint8Array(resident.buffer);
      const offset = HEADER_BYTES + count * 4;
      if (rowBytes > 0 && readSync(fd, data, 0, rowBytes, offset) !== rowBytes) {
        throw new Error('row file is truncated');
      }
      closeSync(fd);
      return new FileRowVectors(-1, dim, labels, resident);
    } catch (error) {
      try {
        closeSync(fd);
      } catch {
        // closed above, once the rows were read
      }
      throw error;
    }
  }

  read(row: number, out: Float32Array): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.size) throw rowError(row, this.size);
    if (this.#resident !== undefined) {
      out.set(this.#resident.subarray(row * this.dim, (row + 1) * this.dim));
      return;
    }
    const bytes = new Uint8Array(out.buffer, out.byteOffset, this.dim * 4);
    const position = this.#dataOffset + row * this.dim * 4;
    if (readSync(this.#fd, bytes, 0, bytes.length, position) !== bytes.length) {
      throw new SynestheteError('E_EMPTY_CATALOG', `index row ${row} could not be read`);
    }
  }
}

/**
 * Writes rows and their labels to `path` whole (a temporary file, then a rename), so that another
 * process loading the same folder never sees half a file, and returns the file opened for reading
 * — opened before the rename, so it is this file even when another process renames its own over
 * the same path at the same moment.
 *
 * @param path - destination
 * @param rows - the vectors, read row by row (written unit length)
 * @param labels - one uint32 label per row
 * @returns the written rows, read from the file
 * @throws Error when the file cannot be written (nothing is left behind)
 */
export function writeRowVectors(
  path: string,
  rows: RowVectors,
  labels: Uint32Array,
): FileRowVectors {
  if (labels.length !== rows.size) throw new Error('one label per row is needed');
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(VERSION, 4);
    header.writeUInt32LE(rows.dim, 8);
    header.writeUInt32LE(rows.size, 12);
    writeSync(fd, header);
    writeSync(fd, new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
    // A few MB at a time.
    const perChunk = Math.max(1, Math.floor((4 << 20) / (rows.dim * 4)));
    const chunk = new Float32Array(perChunk * rows.dim);
    for (let start = 0; start < rows.size; start += perChunk) {
      const n = Math.min(perChunk, rows.size - start);
      for (let i = 0; i < n; i++) rows.read(start + i, chunk.subarray(i * rows.dim));
      writeSync(fd, new Uint8Array(chunk.buffer, 0, n * rows.dim * 4));
    }
    closeSync(fd);
    const written = FileRowVectors.open(tmp, rows.dim);
    renameSync(tmp, path);
    return written;
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // closed above
    }
    rmSync(tmp, { force: true });
    throw error;
  }
}

function rowError(row: number, size: number): SynestheteError {
  return new SynestheteError('E_INTERNAL', `internal error: row ${row} is not in [0, ${size})`);
}
