/**
 * The row store behind the projected track index: a small file read into memory when opened and a
 * large one read row by row give the same unit-length rows, and neither sees a newer file renamed
 * over its path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileRowVectors,
  MemoryRowVectors,
  RESIDENT_ROWS_MAX_BYTES,
  writeRowVectors,
} from '../../core/index/row-vectors.js';
import { gaussian, prng } from './vectors.js';

const DIM = 300;
const COUNT = 500;

describe('FileRowVectors', () => {
  let dir: string;
  const normal = gaussian(prng(5));
  const vectors = Array.from({ length: COUNT }, () =>
    Float32Array.from({ length: DIM }, () => 3 * normal()),
  );
  const labels = Uint32Array.from({ length: COUNT }, (_, i) => 1000 + i);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'row-vectors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the same unit rows from memory and from the file', () => {
    const path = join(dir, 'a.rows');
    const written = writeRowVectors(path, new MemoryRowVectors(vectors, DIM), labels);
    expect(COUNT * DIM * 4).toBeLessThan(RESIDENT_ROWS_MAX_BYTES);
    expect(written.resident).toBe(true);
    const onDisk = FileRowVectors.open(path, DIM, 0);
    expect(onDisk.resident).toBe(false);
    expect(onDisk.labels).toEqual(labels);
    const a = new Float32Array(DIM);
    const b = new Float32Array(DIM);
    for (const row of [0, 1, 250, COUNT - 1]) {
      written.read(row, a);
      onDisk.read(row, b);
      expect(a).toEqual(b);
      expect(Math.hypot(...a)).toBeCloseTo(1, 5);
      const v = vectors[row]!;
      const n = Math.hypot(...v);
      for (let i = 0; i < DIM; i += 37) expect(a[i]).toBeCloseTo(v[i]! / n, 5);
    }
    for (const store of [written, onDisk]) {
      expect(() => store.read(COUNT, a)).toThrow(/not in \[0, 500\)/);
      expect(() => store.read(-1, a)).toThrow(/not in/);
    }
  });

  it('keeps reading the file it opened after a newer one is renamed over the path', () => {
    const path = join(dir, 'b.rows');
    writeRowVectors(path, new MemoryRowVectors(vectors, DIM), labels);
    const resident = FileRowVectors.open(path, DIM);
    const onDisk = FileRowVectors.open(path, DIM, 0);
    const reversed = [...vectors].reverse();
    writeRowVectors(path, new MemoryRowVectors(reversed, DIM), labels);
    const fresh = FileRowVectors.open(path, DIM);
    const before = new Float32Array(DIM);
    const after = new Float32Array(DIM);
    for (const store of [resident, onDisk]) {
      store.read(0, before);
      fresh.read(COUNT - 1, after);
      expect(before).toEqual(after);
      fresh.read(0, after);
      expect(before).not.toEqual(after);
    }
  });
});
