/**
 * Landmark matching on real music (demo tracks): a noisy voice-note cut of a catalogue track is
 * named with the place it was cut from; a cut of a track outside the catalogue is not named.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../../core/audio/voice-note.js';
import { type Fingerprint, fingerprintPcm } from '../../core/fingerprint/fingerprint.js';
import { LandmarkIndex } from '../../core/fingerprint/landmark-index.js';
import { matchLandmarks } from '../../core/fingerprint/match.js';
import { FINGERPRINT_VERSION } from '../../core/fingerprint/params.js';
import {
  decodeFingerprint,
  encodeFingerprint,
  hasCurrentFingerprint,
} from '../../core/fingerprint/stored-fingerprint.js';
import { pickLandmarkMatch } from '../../core/fingerprint/thresholds.js';
import { createRng } from '../../core/util/random.js';
import { ffmpegBinary } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';

const SR = 22_050;
const CATALOGUE = [
  'metal_rock__Metal_madness.ogg',
  'ambient_electronic__Nebula.ogg',
  'fantasy_rpg__town_theme.ogg',
  'electronic__chaos-fog.ogg',
] as const;
const OUTSIDER = 'orchestral_fantasy__northerners.ogg';

async function decode(input: string | Uint8Array): Promise<Float32Array> {
  return (
    await decodeAudio(input, { sampleRate: SR, maxAnalysedS: 600, segments: 1, name: 'x.ogg' })
  ).pcm;
}

/** `seconds` of `pcm` from `startS`, through the evaluation voice-note chain, decoded again. */
async function voiceNote(pcm: Float32Array, startS: number, seconds: number, seed: number) {
  const cut = pcm.subarray(Math.round(startS * SR), Math.round((startS + seconds) * SR));
  const ogg = await encodeVoiceNote(
    cut,
    SR,
    EVALUATION_VOICE_NOTE,
    ffmpegBinary(),
    createRng(seed),
  );
  return decode(ogg);
}

describe('landmark matching', () => {
  const tracks = new Map<string, { pcm: Float32Array; fingerprint: Fingerprint }>();
  let index: LandmarkIndex;

  beforeAll(async () => {
    for (const name of [...CATALOGUE, OUTSIDER]) {
      const pcm = await decode(demoTrack(name));
      tracks.set(name, { pcm, fingerprint: fingerprintPcm(pcm, SR) });
    }
    index = LandmarkIndex.build(
      CATALOGUE.map((name, i) => ({ trackId: i + 1, ...tracks.get(name)!.fingerprint })),
      FINGERPRINT_VERSION,
    );
  });

  it('names a noisy voice-note cut of a catalogue track, with the right offset', async () => {
    for (const [i, name] of CATALOGUE.entries()) {
      const startS = 5.3 + 4 * i;
      const clip = await voiceNote(tracks.get(name)!.pcm, startS, 10, i + 1);
      const ranked = matchLandmarks(index, fingerprintPcm(clip, SR));
      const match = pickLandmarkMatch(ranked);
      expect(match?.trackId, name).toBe(i + 1);
      expect(Math.abs(match!.offsetS - startS), name).toBeLessThan(0.1);
    }
  });

  it('names no track for a cut of a track outside the catalogue', async () => {
    for (const [seed, startS] of [
      [1, 0.5],
      [2, 10],
      [3, 19.5],
    ] as const) {
      const clip = await voiceNote(tracks.get(OUTSIDER)!.pcm, startS, 10, seed);
      const ranked = matchLandmarks(index, fingerprintPcm(clip, SR));
      expect(pickLandmarkMatch(ranked)).toBeUndefined();
    }
  });

  it('stores a fingerprint and an index as bytes and reads them back', () => {
    const fp = tracks.get(CATALOGUE[0])!.fingerprint;
    const bytes = encodeFingerprint(fp);
    expect(hasCurrentFingerprint(bytes)).toBe(true);
    expect(hasCurrentFingerprint(null)).toBe(false);
    expect(hasCurrentFingerprint(encodeFingerprint(fp, FINGERPRINT_VERSION + 1))).toBe(false);
    const back = decodeFingerprint(bytes);
    expect(back?.hashes).toEqual(fp.hashes);
    expect(back?.times).toEqual(fp.times);
    expect(decodeFingerprint(bytes.subarray(0, bytes.length - 4))).toBeUndefined();

    const copy = LandmarkIndex.fromBytes(index.toBytes());
    expect(copy.size).toBe(index.size);
    expect(Array.from(copy.trackIds)).toEqual([1, 2, 3, 4]);
    const h = fp.hashes[100]!;
    const range = copy.lookup(h)!;
    const slots = Array.from(copy.slots.subarray(range.start, range.end));
    expect(slots).toContain(0);
    expect(() => LandmarkIndex.fromBytes(new Uint8Array(40))).toThrow();
  });
});
