/**
 * The fingerprint match (sorted vote runs, core/fingerprint/match.ts) gives exactly what the
 * straightforward vote count of Wang 2003 gives — a hash map keyed by (track, offset), filled in
 * clip order, each track's best offset the first met among the highest scores — on real
 * fingerprints: demo tracks, copies of them shifted in time under other track ids (equal scores
 * across tracks and within a track), voice-note cuts, the demo voice note, an outsider.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { EVALUATION_VOICE_NOTE, encodeVoiceNote } from '../../core/audio/voice-note.js';
import { fingerprintPcm } from '../../core/fingerprint/fingerprint.js';
import type { Landmarks } from '../../core/fingerprint/hashes.js';
import { LandmarkIndex, type TrackLandmarks } from '../../core/fingerprint/landmark-index.js';
import { type LandmarkScore, matchLandmarks } from '../../core/fingerprint/match.js';
import { FINGERPRINT_VERSION, FRAME_SECONDS } from '../../core/fingerprint/params.js';
import { createRng } from '../../core/util/random.js';
import { ffmpegBinary } from '../helpers/audio.js';
import { demoTrack, REPO_ROOT } from '../helpers/paths.js';

const SR = 22_050;
const TRACKS = [
  'metal_rock__chaos_god.ogg',
  'metal_rock__armygeddon.ogg',
  'ambient_electronic__Nebula.ogg',
  'fantasy_rpg__town_theme.ogg',
  'electronic__subcities.ogg',
  'game_platformer__chipdisko.ogg',
] as const;
const OUTSIDER = 'orchestral_fantasy__northerners.ogg';

/** The vote count the engine used before (a `Map`), with how many tracks had tied best offsets. */
function referenceMatch(
  index: LandmarkIndex,
  clip: Landmarks,
): {
  scores: LandmarkScore[];
  tiedTracks: number;
} {
  // Wide enough that no offset reaches the next track's keys (the engine's anchor times stay far
  // below 2^21 frames; the far-shifted copies below do not).
  const span = 2 ** 32;
  const bias = 2 ** 21;
  const votes = new Map<number, number>();
  for (let i = 0; i < clip.hashes.length; i++) {
    const range = index.lookup(clip.hashes[i]!);
    if (range === undefined) continue;
    for (let p = range.start; p < range.end; p++) {
      const key = index.slots[p]! * span + (index.times[p]! - clip.times[i]! + bias);
      votes.set(key, (votes.get(key) ?? 0) + 1);
    }
  }
  const best = new Map<number, { score: number; offset: number; ties: number }>();
  for (const [key, count] of votes) {
    const slot = Math.floor(key / span);
    const offset = key - slot * span;
    const score = count + (votes.get(key - 1) ?? 0) + (votes.get(key + 1) ?? 0);
    const known = best.get(slot);
    if (known === undefined || score > known.score) best.set(slot, { score, offset, ties: 0 });
    else if (score === known.score) known.ties++;
  }
  const scores = [...best.entries()]
    .map(([slot, { score, offset }]) => ({
      trackId: index.trackIds[slot]!,
      score,
      offsetFrames: offset - bias,
      offsetS: (offset - bias) * FRAME_SECONDS,
    }))
    .sort((a, b) => b.score - a.score || a.trackId - b.trackId);
  return { scores, tiedTracks: [...best.values()].filter((b) => b.ties > 0).length };
}

async function decode(input: string | Uint8Array): Promise<Float32Array> {
  const options = { sampleRate: SR, maxAnalysedS: 600, segments: 1, name: 'x.ogg' };
  return (await decodeAudio(input, options)).pcm;
}

describe('fingerprint match against the reference vote count', () => {
  let index: LandmarkIndex;
  /** The same with one more copy of each track 2^22 frames later (offsets past 22 bits). */
  let farIndex: LandmarkIndex;
  const clips: Array<{ name: string; landmarks: Landmarks }> = [];

  beforeAll(async () => {
    const catalogue: TrackLandmarks[] = [];
    for (const [i, name] of TRACKS.entries()) {
      const pcm = await decode(demoTrack(name));
      const print = fingerprintPcm(pcm, SR);
      catalogue.push({ trackId: 10 * (i + 1), hashes: print.hashes, times: print.times });
      // The same track again under other ids, shifted in time: equal scores across tracks, and
      // (shifted by 1 frame) neighbouring offsets within the vote runs.
      for (const [j, shift] of [0, 1, 500].entries()) {
        catalogue.push({
          trackId: 10 * (i + 1) + j + 1,
          hashes: print.hashes,
          times: print.times.map((t) => t + shift),
        });
      }
      // A voice-note cut of each track (noise, codec), 12 s from 6 s in.
      const cut = pcm.subarray(6 * SR, 18 * SR);
      const ogg = await encodeVoiceNote(
        cut,
        SR,
        EVALUATION_VOICE_NOTE,
        ffmpegBinary(),
        createRng(i + 1),
      );
      clips.push({
        name: `voice note of ${name}`,
        landmarks: fingerprintPcm(await decode(ogg), SR),
      });
      // A clean cut, starting between the track's frames.
      clips.push({
        name: `cut of ${name}`,
        landmarks: fingerprintPcm(pcm.subarray(3 * SR + 101), SR),
      });
    }
    index = LandmarkIndex.build(catalogue, FINGERPRINT_VERSION);
    const far = catalogue
      .filter((t) => t.trackId % 10 === 0)
      .map((t) => ({ ...t, trackId: t.trackId + 5, times: t.times.map((x) => x + 2 ** 22) }));
    farIndex = LandmarkIndex.build([...catalogue, ...far], FINGERPRINT_VERSION);
    const demoNote = await decode(`${REPO_ROOT}/data/demo/queries/voice-note.ogg`);
    clips.push({ name: 'demo voice note', landmarks: fingerprintPcm(demoNote, SR) });
    clips.push({
      name: 'outsider',
      landmarks: fingerprintPcm(await decode(demoTrack(OUTSIDER)), SR),
    });
    clips.push({
      name: 'empty',
      landmarks: { hashes: new Uint32Array(0), times: new Uint32Array(0) },
    });
  });

  it('gives the same candidates, scores and offsets for every clip', () => {
    let tied = 0;
    let compared = 0;
    for (const clip of clips) {
      const reference = referenceMatch(index, clip.landmarks);
      tied += reference.tiedTracks;
      const ours = matchLandmarks(index, clip.landmarks, Number.POSITIVE_INFINITY);
      expect(ours, clip.name).toEqual(reference.scores);
      expect(matchLandmarks(index, clip.landmarks), clip.name).toEqual(
        reference.scores.slice(0, 10),
      );
      compared += ours.length;
    }
    // What the comparison must cover to mean anything: many candidates, and tracks whose best
    // score is reached at several offsets (the first voted for wins).
    expect(compared).toBeGreaterThan(300);
    expect(tied).toBeGreaterThan(50);
  });

  it('gives the same for offsets past 22 bits (sorted by comparisons instead of digits)', () => {
    for (const clip of clips) {
      const reference = referenceMatch(farIndex, clip.landmarks);
      const ours = matchLandmarks(farIndex, clip.landmarks, Number.POSITIVE_INFINITY);
      expect(ours, clip.name).toEqual(reference.scores);
    }
    // The far copies are candidates, at their far offsets.
    const named = matchLandmarks(farIndex, clips[0]!.landmarks, Number.POSITIVE_INFINITY);
    expect(named.some((c) => c.trackId === 15 && c.offsetFrames > 2 ** 21)).toBe(true);
  });
});
