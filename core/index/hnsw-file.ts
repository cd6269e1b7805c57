/**
 * Structural check of an hnswlib index file before the addon reads it. hnswlib's `loadIndex`
 * trusts the file's header sizes and neighbour ids, so a truncated or overwritten file can make it
 * allocate absurd amounts of memory or read out of bounds (a crash, not an exception). Reading the
 * layout here first turns any such file into an ordinary error.
 *
 * Layout (hnswlib 0.8 `HierarchicalNSW::saveIndex`, little-endian, `size_t` = 8 bytes):
 * header `offsetLevel0, maxElements, curElementCount, sizeDataPerElement, labelOffset, offsetData`
 * (size_t each), `maxLevel` (int32), `enterPoint` (uint32), `maxM, maxM0, M` (size_t),
 * `mult` (double), `efConstruction` (size_t) = 96 bytes; then `curElementCount` level-0 records
 * of `sizeDataPerElement` bytes (`[count:u16, flags:u16] [maxM0 × u32 neighbours] [dim × f32]
 * [label:u64]`); then per element a u32 byte size and that many bytes of upper-level link lists
 * (`level × (4 + maxM × 4)`).
 *
 * @module
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_LABEL } from './vectors.js';

const HEADER_BYTES = 96;
const CHUNK_BYTES = 1 << 20;

/** What a valid file holds. */
export interface HnswFileInfo {
  /** Number of stored elements. */
  count: number;
  /** Maximum connections per node above level 0. */
  m: number;
}

/**
 * Reads `path` and checks that it is a complete hnswlib index of `dim`-dimensional float vectors
 * whose neighbour ids and labels are all in range.
 *
 * @param path - index file written by `writeIndex`
 * @param dim - expected vector dimension
 * @returns element count and M
 * @throws Error naming the first inconsistency (missing file, truncation, wrong dimension, …)
 */
export function checkHnswFile(path: string, dim: number): HnswFileInfo {
  const fd = openSync(path, 'r');
  try {
    const reader = new SequentialReader(fd, fstatSync(fd).size);
    return checkLayout(reader, dim);
  } finally {
    closeSync(fd);
  }
}

function checkLayout(r: SequentialReader, dim: number): HnswFileInfo {
  if (r.size < HEADER_BYTES) fail(`file is ${r.size} bytes, shorter than the header`);
  const offsetLevel0 = r.u64();
  const maxElements = r.u64();
  const count = r.u64();
  const sizeData = r.u64();
  const labelOffset = r.u64();
  const offsetData = r.u64();
  const maxLevel = r.i32();
  const enterPoint = r.u32();
  const maxM = r.u64();
  const maxM0 = r.u64();
  const m = r.u64();
  r.skip(8 + 8); // mult (double), efConstruction
  const linksLevel0 = maxM0 * 4 + 4;
  const linksUpper = maxM * 4 + 4;
  if (offsetLevel0 !== 0) fail('bad level-0 offset');
  if (m < 1 || m > 10_000 || maxM !== m || maxM0 !== 2 * m) fail(`bad M (${m}/${maxM}/${maxM0})`);
  if (offsetData !== linksLevel0 || labelOffset !== offsetData + dim * 4) {
    fail(`vectors are not ${dim}-dimensional`);
  }
  if (sizeData !== labelOffset + 8) fail('bad element size');
  if (count > maxElements || maxElements > MAX_LABEL) fail('bad element counts');
  if (HEADER_BYTES + count * sizeData + count * 4 > r.size) fail('file is truncated');
  if (count === 0) {
    if (r.size !== HEADER_BYTES) fail('trailing bytes after an empty index');
    return { count, m };
  }
  if (maxLevel < 0 || maxLevel > 64 || enterPoint >= count) fail('bad entry point');

  for (let i = 0; i < count; i++) {
    const record = r.bytes(sizeData);
    const n = record.getUint16(0, true);
    if (n > maxM0) fail(`element ${i} has ${n} level-0 links`);
    for (let j = 0; j < n; j++) {
      if (record.getUint32(4 + j * 4, true) >= count) fail(`element ${i} links out of range`);
    }
    const label = record.getBigUint64(labelOffset, true);
    if (label > BigInt(MAX_LABEL)) fail(`element ${i} has label ${label}`);
  }
  for (let i = 0; i < count; i++) {
    const bytes = r.u32();
    if (bytes === 0) continue;
    const levels = bytes / linksUpper;
    if (!Number.isInteger(levels) || levels > maxLevel) fail(`element ${i} has bad link lists`);
    for (let level = 0; level < levels; level++) {
      const block = r.bytes(linksUpper);
      const n = block.getUint16(0, true);
      if (n > maxM) fail(`element ${i} has ${n} links at level ${level + 1}`);
      for (let j = 0; j < n; j++) {
        if (block.getUint32(4 + j * 4, true) >= count) fail(`element ${i} links out of range`);
      }
    }
  }
  if (r.position !== r.size) fail('trailing bytes after the last element');
  return { count, m };
}

function fail(why: string): never {
  throw new Error(`not a usable hnswlib index: ${why}`);
}

/** Buffered forward-only reader over a file descriptor; throws on reading past the end. */
class SequentialReader {
  readonly size: number;
  position = 0;
  readonly #fd: number;
  #buffer = Buffer.alloc(0);
  /** File offset of `#buffer[0]`. */
  #start = 0;

  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
  }

  bytes(n: number): DataView {
    if (this.position + n > this.size) fail('file is truncated');
    let offset = this.position - this.#start;
    if (offset < 0 || offset + n > this.#buffer.length) {
      this.#buffer = Buffer.alloc(Math.max(CHUNK_BYTES, n));
      const read = readSync(this.#fd, this.#buffer, 0, this.#buffer.length, this.position);
      this.#buffer = this.#buffer.subarray(0, read);
      this.#start = this.position;
      offset = 0;
      if (read < n) fail('file is truncated');
    }
    this.position += n;
    return new DataView(this.#buffer.buffer, this.#buffer.byteOffset + offset, n);
  }

  skip(n: number): void {
    this.bytes(n);
  }

  u32(): number {
    return this.bytes(4).getUint32(0, true);
  }

  i32(): number {
    return this.bytes(4).getInt32(0, true);
  }

  /** A u64 as a number; values ≥ 2^53 are reported as corrupt. */
  u64(): number {
    const value = this.bytes(8).getBigUint64(0, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('header value out of range');
    return Number(value);
  }
}
