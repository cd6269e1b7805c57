/**
 * A voice-note view made in process (node-av) against the same view made by the ffmpeg program:
 * same excerpt, chain and noise (same seed), and a clip vector close to the program path's.
 * Measured: cosine 0.944 (dense metal) and 0.979 (ambient) to the program path's vector, against
 * 0.71 and 0.74 to another view of the same track; node-av's libopus is another version than the
 * program's, so the two voice notes are not the same samples.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeVoiceNote } from '../../core/audio/voice-note.js';
import { inProcessUnavailableReason } from '../../core/audio/voice-note-node-av.js';
import { voiceNoteView } from '../../core/library/voice-note-view.js';
import { type EmbeddingModel, loadEmbeddingModel } from '../../core/model/embedder.js';
import { ffmpegBinary } from '../helpers/audio.js';
import { demoTrack, modelPresent } from '../helpers/paths.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

const unavailable = await inProcessUnavailableReason();

describe.skipIf(unavailable !== null || !modelPresent())('voiceNoteView in process', () => {
  let model: EmbeddingModel;
  beforeAll(async () => {
    model = await loadEmbeddingModel();
  }, 60_000);

  it.each(['metal_rock__chaos_god.ogg', 'ambient_electronic__Nebula.ogg'])(
    'gives the program path’s vector, nearly (%s)',
    async (track) => {
      const file = demoTrack(track);
      const ours = await voiceNoteView(file, 30, model, ffmpegBinary(), track);
      const again = await voiceNoteView(file, 30, model, ffmpegBinary(), track);
      const theirs = await voiceNoteView(file, 30, model, ffmpegBinary(), track, encodeVoiceNote);
      expect(ours).not.toBeNull();
      expect(theirs).not.toBeNull();
      expect(again).toEqual(ours);
      // Another view of the same track (another excerpt and chain), for scale.
      const other = await voiceNoteView(file, 30, model, ffmpegBinary(), `${track}#2`);
      expect(cosine(ours!, theirs!)).toBeGreaterThan(0.93);
      expect(cosine(ours!, theirs!)).toBeGreaterThan(cosine(ours!, other!));
    },
    60_000,
  );
});
