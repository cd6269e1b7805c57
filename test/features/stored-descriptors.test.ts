/**
 * Stored descriptors are checked against their shape when read back: a real track's descriptors
 * survive the catalogue's JSON round trip unchanged, and values of another shape read as none.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { computeDescriptors } from '../../core/features/descriptors.js';
import {
  parseStoredDescriptors,
  storedDescriptors,
} from '../../core/features/stored-descriptors.js';
import { DEMO_TRACKS_DIR } from '../helpers/paths.js';

describe('parseStoredDescriptors', () => {
  it("reads back a real track's descriptors after the JSON round trip, and rejects damaged ones", async () => {
    const file = path.join(DEMO_TRACKS_DIR, readdirSync(DEMO_TRACKS_DIR).sort()[0]!);
    const { pcm, sampleRate } = await decodeAudio(file, { sampleRate: 22_050, maxAnalysedS: 30 });
    const descriptors = computeDescriptors(pcm, sampleRate);
    const json = JSON.parse(JSON.stringify(storedDescriptors(descriptors))) as unknown;
    expect(parseStoredDescriptors(json)).toEqual(JSON.parse(JSON.stringify(descriptors)));

    const stored = json as Record<string, unknown>;
    expect(parseStoredDescriptors(null)).toBeNull();
    expect(parseStoredDescriptors('120 bpm')).toBeNull();
    expect(parseStoredDescriptors({ ...stored, chroma: [1, 2, 3] })).toBeNull();
    expect(
      parseStoredDescriptors({ ...stored, key: { tonic: 'H', mode: 'minor', confidence: 1 } }),
    ).toBeNull();
    expect(parseStoredDescriptors({ ...stored, loudnessDb: 'loud' })).toBeNull();
    const { tempoBpm: _, ...withoutTempo } = stored;
    expect(parseStoredDescriptors(withoutTempo)).toBeNull();
    // Unknown keys are dropped; a null tempo (none measured) is kept.
    const parsed = parseStoredDescriptors({ ...stored, tempoBpm: null, extra: 1 });
    expect(parsed?.tempoBpm).toBeNull();
    expect(parsed).not.toHaveProperty('extra');
  });
});
