/**
 * The descriptors as the catalogue stores them (a JSON object in `tracks.descriptors`), checked
 * against their shape once when read back, so that the ranking and the reasons work on a typed
 * {@link Descriptors} or on nothing — never on a value that merely claims to be one.
 *
 * @module
 */

import type { Descriptors } from './descriptors.js';
import { PITCH_CLASSES } from './key.js';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The stored descriptors of a track, or null when the value is absent or not of their shape
 * (a catalogue written by another program, or damaged).
 *
 * Shape: `tempoBpm` a number or null, `tempoConfidence`, `loudnessDb`, `spectralCentroidHz` and
 * `brightness` numbers, `key` `{ tonic: one of C … B, mode: 'major' | 'minor', confidence }`,
 * `chroma` 12 numbers, optional `spectralFlatness` a number. Other keys are ignored.
 *
 * @param value - the JSON value read from the catalogue
 * @returns the descriptors, as a new object holding only the known keys, or null
 */
export function parseStoredDescriptors(value: unknown): Descriptors | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const key = v.key as Record<string, unknown> | null | undefined;
  const chroma = v.chroma;
  if (
    !(v.tempoBpm === null || finite(v.tempoBpm)) ||
    !finite(v.tempoConfidence) ||
    !finite(v.loudnessDb) ||
    !finite(v.spectralCentroidHz) ||
    !finite(v.brightness) ||
    (v.spectralFlatness !== undefined && !finite(v.spectralFlatness)) ||
    typeof key !== 'object' ||
    key === null ||
    !PITCH_CLASSES.includes(key.tonic as (typeof PITCH_CLASSES)[number]) ||
    (key.mode !== 'major' && key.mode !== 'minor') ||
    !finite(key.confidence) ||
    !Array.isArray(chroma) ||
    chroma.length !== 12 ||
    !chroma.every(finite)
  ) {
    return null;
  }
  return {
    tempoBpm: v.tempoBpm,
    tempoConfidence: v.tempoConfidence,
    key: {
      tonic: key.tonic as (typeof PITCH_CLASSES)[number],
      mode: key.mode,
      confidence: key.confidence,
    },
    chroma: [...chroma],
    loudnessDb: v.loudnessDb,
    spectralCentroidHz: v.spectralCentroidHz,
    brightness: v.brightness,
    ...(v.spectralFlatness === undefined ? {} : { spectralFlatness: v.spectralFlatness }),
  };
}

/**
 * The descriptors as the catalogue stores them: a plain JSON object.
 *
 * @param descriptors - computed descriptors
 * @returns the same keys and values, typed as the catalogue's opaque JSON
 */
export function storedDescriptors(descriptors: Descriptors): Record<string, unknown> {
  return { ...descriptors };
}
