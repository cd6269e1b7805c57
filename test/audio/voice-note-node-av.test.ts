/**
 * The voice-note chain in process (node-av) against the ffmpeg program on the same noisy input:
 * the decoded voice notes have the same length and level and the same long-term spectrum, within
 * bounds that a wrong cut-off, bitrate or reverb breaks (checked here on the same audio). The two
 * are not the same waveform: node-av's FFmpeg has another libopus than the program's (1.3.1 on
 * Debian 12), and Opus at 24 kbit/s keeps the spectrum, not the phase.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import {
  addNoise,
  EVALUATION_VOICE_NOTE,
  encodeNoisyVoiceNote,
  type VoiceNoteOptions,
} from '../../core/audio/voice-note.js';
import {
  encodeNoisyVoiceNoteInProcess,
  encodeVoiceNoteInProcess,
  inProcessUnavailableReason,
  runsInProcess,
  VoiceNoteInProcessUnavailable,
} from '../../core/audio/voice-note-node-av.js';
import { computeLogMel } from '../../core/features/log-mel.js';
import { cutExcerpt } from '../../core/library/voice-note-view.js';
import { createRng } from '../../core/util/random.js';
import { ffmpegBinary } from '../helpers/audio.js';
import { demoTrack } from '../helpers/paths.js';

const RATE = 48_000;
/** A log-mel spectrogram over the whole band a voice note keeps and the band it cuts. */
const MEL = {
  sampleRate: RATE,
  nFft: 2048,
  hopLength: 1024,
  nMels: 64,
  fMin: 50,
  fMax: 16_000,
  logOffset: 1e-6,
};
/**
 * Bounds on the long-term log-mel spectra's difference (natural log; 0.07 ≈ 0.3 dB on average,
 * 0.16 ≈ 0.7 dB in the worst band). The same chain measured 0.035 / 0.118 (dense metal) and
 * 0.007 / 0.024 (ambient); a low-pass 1 kHz off, a high-pass at 300 Hz instead of 200, 16 kbit/s
 * instead of 24 or no reverb measured ≥ 0.095 / ≥ 0.37.
 */
const BAND_MEAN_MAX = 0.07;
const BAND_WORST_MAX = 0.16;

/** Mean and largest difference of the two signals' long-term (time-averaged) log-mel spectra. */
function spectrumDistance(a: Float32Array, b: Float32Array): { mean: number; worst: number } {
  const sa = computeLogMel(a, MEL);
  const sb = computeLogMel(b, MEL);
  const average = (s: typeof sa) => {
    const bands = new Float64Array(s.nMels);
    for (let t = 0; t < s.frames; t++) {
      for (let m = 0; m < s.nMels; m++) bands[m]! += s.data[t * s.nMels + m]! / s.frames;
    }
    return bands;
  };
  const [ba, bb] = [average(sa), average(sb)];
  let mean = 0;
  let worst = 0;
  for (let m = 0; m < MEL.nMels; m++) {
    const d = Math.abs(ba[m]! - bb[m]!);
    mean += d / MEL.nMels;
    worst = Math.max(worst, d);
  }
  return { mean, worst };
}

function rms(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return Math.sqrt(e / x.length);
}

/** Decodes an Ogg Opus voice note to mono PCM at 48 kHz, as the views' analysis decodes it. */
async function decodeNote(ogg: Buffer): Promise<Float32Array> {
  return (await decodeAudio(new Uint8Array(ogg), { sampleRate: RATE, name: 'note.ogg' })).pcm;
}

const unavailable = await inProcessUnavailableReason();

describe.skipIf(unavailable !== null)('voice-note chain in process (node-av)', () => {
  const tracks = ['metal_rock__chaos_god.ogg', 'ambient_electronic__Nebula.ogg'];
  const noisy = new Map<string, Float32Array>();
  const program = new Map<string, Float32Array>();

  beforeAll(async () => {
    for (const track of tracks) {
      const pcm = await cutExcerpt(demoTrack(track), 10, 10);
      addNoise(pcm, 10, createRng(7));
      noisy.set(track, pcm);
      program.set(
        track,
        await decodeNote(
          await encodeNoisyVoiceNote(pcm, RATE, EVALUATION_VOICE_NOTE, ffmpegBinary()),
        ),
      );
    }
  }, 60_000);

  it.each(tracks)('sounds like the program path: length, level, spectrum (%s)', async (track) => {
    const input = noisy.get(track)!;
    const ogg = await encodeNoisyVoiceNoteInProcess(input, RATE, EVALUATION_VOICE_NOTE);
    expect(ogg.subarray(0, 4).toString('latin1')).toBe('OggS');
    const ours = await decodeNote(ogg);
    const theirs = program.get(track)!;
    // Same samples: the input plus aecho's tail (its longest delay, 67 ms), to the sample.
    expect(ours.length).toBe(theirs.length);
    expect(ours.length).toBe(input.length + Math.round(0.067 * RATE));
    expect(rms(ours) / rms(theirs)).toBeGreaterThan(0.95);
    expect(rms(ours) / rms(theirs)).toBeLessThan(1.05);
    const distance = spectrumDistance(ours, theirs);
    expect(distance.mean).toBeLessThan(BAND_MEAN_MAX);
    expect(distance.worst).toBeLessThan(BAND_WORST_MAX);
  });

  const wrong: [string, VoiceNoteOptions][] = [
    ['low-pass 6 kHz', { ...EVALUATION_VOICE_NOTE, lowpassHz: 6000 }],
    ['low-pass 8 kHz', { ...EVALUATION_VOICE_NOTE, lowpassHz: 8000 }],
    ['high-pass 300 Hz', { ...EVALUATION_VOICE_NOTE, highpassHz: 300 }],
    ['16 kbit/s', { ...EVALUATION_VOICE_NOTE, bitrateKbps: 16 }],
    ['no reverb', { ...EVALUATION_VOICE_NOTE, reverb: null }],
  ];
  it.each(wrong)('the bounds catch a wrong chain: %s', async (_name, options) => {
    for (const track of tracks) {
      const ours = await decodeNote(
        await encodeNoisyVoiceNoteInProcess(noisy.get(track)!, RATE, options),
      );
      const distance = spectrumDistance(ours, program.get(track)!);
      expect(distance.mean > BAND_MEAN_MAX || distance.worst > BAND_WORST_MAX).toBe(true);
    }
  });

  it('adds the noise with the same draws as encodeVoiceNote, and is reproducible', async () => {
    const pcm = await cutExcerpt(demoTrack(tracks[1]!), 0, 3);
    const a = await encodeVoiceNoteInProcess(
      pcm,
      RATE,
      EVALUATION_VOICE_NOTE,
      ffmpegBinary(),
      createRng(3),
    );
    const b = await encodeVoiceNoteInProcess(
      pcm,
      RATE,
      EVALUATION_VOICE_NOTE,
      ffmpegBinary(),
      createRng(3),
    );
    expect(a.equals(b)).toBe(true);
    const noisyPcm = Float32Array.from(pcm);
    addNoise(noisyPcm, EVALUATION_VOICE_NOTE.snrDb!, createRng(3));
    const c = await encodeNoisyVoiceNoteInProcess(noisyPcm, RATE, EVALUATION_VOICE_NOTE);
    expect(a.equals(c)).toBe(true);
  });

  it('handles a short and an empty input', async () => {
    const short = new Float32Array(500).fill(0.1);
    const ogg = await encodeNoisyVoiceNoteInProcess(short, RATE, EVALUATION_VOICE_NOTE);
    expect(ogg.subarray(0, 4).toString('latin1')).toBe('OggS');
    const empty = await encodeNoisyVoiceNoteInProcess(new Float32Array(0), RATE, {
      ...EVALUATION_VOICE_NOTE,
      reverb: null,
    });
    expect(empty.subarray(0, 4).toString('latin1')).toBe('OggS');
  });

  it('leaves pitch and tempo (rubberband) to the ffmpeg program', async () => {
    const shifted = { ...EVALUATION_VOICE_NOTE, pitchSemitones: 1 };
    expect(runsInProcess(EVALUATION_VOICE_NOTE)).toBe(true);
    expect(runsInProcess(shifted)).toBe(false);
    await expect(
      encodeNoisyVoiceNoteInProcess(new Float32Array(RATE), RATE, shifted),
    ).rejects.toBeInstanceOf(VoiceNoteInProcessUnavailable);
  });
});
