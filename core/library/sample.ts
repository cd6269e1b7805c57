/**
 * Which catalogue tracks get a voice-note view: a reproducible draw from the track's path.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * A number in [0, 1) drawn from a string by its SHA-1 digest: the same string always gives the
 * same number, and different strings spread evenly. A file is in a sample of share `p` when its
 * fraction is below `p`.
 *
 * @param text - e.g. a file's path
 * @returns the first 32 bits of SHA-1(text) divided by 2³²
 */
export function pathFraction(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) / 2 ** 32;
}
