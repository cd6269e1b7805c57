/**
 * A track's landmarks as the catalogue stores them (the `fingerprint` bytea column): little-endian
 * uint32 words — magic `0x53465031` ("SFP1"), {@link FINGERPRINT_VERSION}, hash count n, then the
 * n hashes and the n anchor times (fingerprint frames). 8 bytes per hash: about 1.6 kB per second
 * of music at ≈ 200 hashes per second.
 *
 * @module
 */

import type { Landmarks } from './hashes.js';
import { FINGERPRINT_VERSION } from './params.js';

const MAGIC = 0x53465031;
const HEADER_BYTES = 12;

/**
 * Encodes landmarks for storage.
 *
 * @param landmarks - hashes and anchor times (equal lengths)
 * @param version - fingerprint version they were made with (default the current one)
 * @returns the column's bytes
 */
export function encodeFingerprint(
  landmarks: Landmarks,
  version: number = FINGERPRINT_VERSION,
): Uint8Array {
  const n = landmarks.hashes.length;
  const out = new Uint8Array(HEADER_BYTES + 8 * n);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, version, true);
  view.setUint32(8, n, true);
  for (let i = 0; i < n; i++) {
    view.setUint32(HEADER_BYTES + 4 * i, landmarks.hashes[i]!, true);
    view.setUint32(HEADER_BYTES + 4 * (n + i), landmarks.times[i]!, true);
  }
  return out;
}

/**
 * The fingerprint version of stored bytes, or undefined when they are not a stored fingerprint.
 *
 * @param bytes - the column's value (null: none stored)
 */
export function storedFingerprintVersion(bytes: Uint8Array | null): number | undefined {
  if (bytes === null || bytes.byteLength < HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(0, true) === MAGIC ? view.getUint32(4, true) : undefined;
}

/**
 * Decodes stored landmarks of the current {@link FINGERPRINT_VERSION}.
 *
 * @param bytes - the column's value
 * @returns the landmarks, or undefined when the bytes are missing, of another version or damaged
 */
export function decodeFingerprint(bytes: Uint8Array | null): Landmarks | undefined {
  if (storedFingerprintVersion(bytes) !== FINGERPRINT_VERSION || bytes === null) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(8, true);
  if (bytes.byteLength !== HEADER_BYTES + 8 * n) return undefined;
  const hashes = new Uint32Array(n);
  const times = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hashes[i] = view.getUint32(HEADER_BYTES + 4 * i, true);
    times[i] = view.getUint32(HEADER_BYTES + 4 * (n + i), true);
  }
  return { hashes, times };
}

/**
 * True when stored bytes hold a fingerprint of the current {@link FINGERPRINT_VERSION} (the
 * track needs no re-fingerprinting).
 */
export function hasCurrentFingerprint(bytes: Uint8Array | null): boolean {
  return storedFingerprintVersion(bytes) === FINGERPRINT_VERSION;
}
