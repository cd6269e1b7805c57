/** Shared helpers for catalogue tests: track factories and isolated PostgreSQL databases. */

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { NewTrack } from '../../core/catalog/types.js';
import { normalise, prng } from '../index/vectors.js';

/** A complete {@link NewTrack} with sensible defaults, overridable field by field. */
export function newTrack(overrides: Partial<NewTrack> = {}): NewTrack {
  return {
    sourcePath: '/music/a.flac',
    contentHash: 'a'.repeat(64),
    title: 'A',
    artist: 'Artist',
    album: 'Album',
    genre: 'Jazz',
    durationS: 183.27,
    embedding: null,
    windowEmbeddings: null,
    windowCount: 0,
    descriptors: null,
    modelVersion: null,
    ...overrides,
  };
}

/** A deterministic pseudo-random Float32Array (values in [-0.5, 0.5)), unit length when `unit`. */
export function vector(seed: number, dim: number, unit = true): Float32Array {
  const random = prng(seed);
  const out = Float32Array.from({ length: dim }, () => random() - 0.5);
  return unit ? normalise(out) : out;
}

/** A fresh, uniquely named PostgreSQL database on the server of `adminUrl`, and its disposal. */
export async function createTestDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `synesthete_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}
