/**
 * The checks every decoder's result goes through, so that a file is accepted or refused with the
 * same words whichever decoder read it: what the container says before decoding (an audio stream,
 * a duration within the cap and plausible for the file's size, not a picture), and what came out
 * (no more than a little short of the declared duration, at least the minimum).
 *
 * Truncation criterion (measured with FFmpeg 5.1 and 8 on files cut at half their bytes):
 * - Ogg Vorbis / Ogg Opus: decoded without a word and with the shortened duration, so the bytes
 *   are checked: the final Ogg page must be complete (`container-check.ts`).
 * - MP3 with a Xing/Info header, FLAC, faststart M4A, WebM: decoded length well short of the
 *   container's declared duration. Rule: shortfall > max(0.5 s, 2 %) of the expected length
 *   (valid files measured within ±0.05 s), only when the duration is declared, not estimated from
 *   the bitrate, and there is no video stream (a video's audio may legitimately end early).
 * - WAV, ADTS AAC, M4A, WebM: a packet or decoded frame flagged corrupt (a short read of the last
 *   packet; the ffmpeg program also logs "File ended prematurely" for WebM and "filesize and
 *   duration do not match" for MP3), except in a streamed WAV, whose last packet is short by design;
 *   and a WAV `data` chunk longer than the file.
 * - M4A with the index (moov) at the end: the demuxer fails to open it.
 * Not detectable: CBR MP3 without a Xing header or ADTS AAC cut on a frame boundary, and Ogg cut
 * exactly on a page boundary; these are indistinguishable from a shorter valid file.
 *
 * @module
 */

import {
  corruptHeader,
  notAudioImage,
  startsPastEnd,
  tooLong,
  tooShort,
  truncated,
  unreadable,
} from './decode-messages.js';
import type { DecodedAudio, DecodedSegment, DecoderName, Limits } from './decode-options.js';
import type { AudioProbe } from './probe.js';
import type { SegmentSpan } from './segment-plan.js';

/**
 * Fewest bytes per second of declared duration a real file holds: below it the header is corrupt.
 * Container overhead alone (an Ogg page a second of silence) is well above it.
 */
const MIN_BYTES_PER_SECOND = 1;

/** Demuxers of still pictures (FFmpeg's image2 family). */
const IMAGE_FORMAT = /(?:_pipe|^image2|^gif|^apng)$/;

/**
 * Refuses a source by what its container says, before (or instead of) decoding it.
 *
 * @param probe - the container's description
 * @param size - the file's size, bytes
 * @param limits - the decode's limits
 * @param name - display name
 * @throws SynestheteError `E_DECODE` (a picture, no audio track, not audio, a header that claims
 *   more than the file can hold), `E_INPUT_DURATION` (longer than `maxDurationS`, or `startS` past
 *   the end)
 */
export function checkProbe(probe: AudioProbe, size: number, limits: Limits, name: string): void {
  if (probe.audioStreams === 0) {
    if (probe.format !== null && IMAGE_FORMAT.test(probe.format)) {
      throw notAudioImage(name, probe.format);
    }
    const why =
      probe.format !== null && probe.hasVideo
        ? 'the video has no audio track; send a video with sound or an audio file'
        : 'not an audio file or corrupt; send an audio file (MP3, Ogg, FLAC, WAV, M4A …)';
    throw unreadable(name, why, probe.log);
  }
  const durationS = probe.durationS;
  if (durationS === null) return;
  if (!probe.durationEstimated && size / durationS < MIN_BYTES_PER_SECOND) {
    throw corruptHeader(name, durationS, size);
  }
  if (durationS > limits.maxDurationS) throw tooLong(name, durationS, limits.maxDurationS);
  if (!probe.durationEstimated && limits.startS >= durationS) {
    throw startsPastEnd(name, durationS, limits.startS);
  }
}

/**
 * Joins the spans' PCM into one {@link DecodedAudio} and checks its length.
 *
 * @param parts - one PCM stretch per span, in order, samples in [-1, 1]
 * @param spans - the spans decoded
 * @param probe - the container's description (duration, whether estimated, video)
 * @param limits - the decode's limits
 * @param name - display name
 * @param decodedBy - the decoder that made the PCM
 * @returns the audio
 * @throws SynestheteError as {@link checkDecodedLength}
 */
export function assemble(
  parts: Float32Array[],
  spans: SegmentSpan[],
  probe: AudioProbe,
  limits: Limits,
  name: string,
  decodedBy: DecoderName,
): DecodedAudio {
  const total = parts.reduce((n, p) => n + p.length, 0);
  // Parts laid end to end in one buffer (as the in-process decoder returns them) are used in place.
  const first = parts[0];
  const inPlace =
    first !== undefined &&
    first.byteOffset === 0 &&
    parts.every((p) => p.buffer === first.buffer) &&
    parts.every(
      (p, i) => i === 0 || p.byteOffset === parts[i - 1]!.byteOffset + parts[i - 1]!.byteLength,
    );
  const pcm = inPlace ? new Float32Array(first.buffer, 0, total) : new Float32Array(total);
  const segments: DecodedSegment[] = [];
  let offset = 0;
  parts.forEach((part, i) => {
    if (!inPlace) pcm.set(part, offset);
    if (part.length > 0) {
      segments.push({ sourceStartS: spans[i]?.startS ?? 0, offset, length: part.length });
    }
    offset += part.length;
  });
  const sourceDurationS = probe.durationS ?? total / limits.sampleRate;
  const audio = { pcm, sampleRate: limits.sampleRate, sourceDurationS, segments, decodedBy };
  checkDecodedLength(audio, spans, probe, limits, name);
  return audio;
}

/**
 * Refuses decoded audio that is well short of the container's declared duration (truncated) or
 * shorter than `minDurationS`.
 *
 * @throws SynestheteError `E_DECODE` (truncated or corrupt), `E_INPUT_DURATION` (too short)
 */
function checkDecodedLength(
  audio: DecodedAudio,
  spans: SegmentSpan[],
  probe: AudioProbe,
  limits: Limits,
  name: string,
): void {
  const gotS = audio.pcm.length / audio.sampleRate;
  if (probe.durationS !== null && !probe.durationEstimated && !probe.hasVideo) {
    const expectedS =
      spans.length === 1
        ? Math.min(probe.durationS - (spans[0]?.startS ?? 0), limits.maxAnalysedS)
        : spans.reduce((s, span) => s + span.lengthS, 0);
    if (expectedS - gotS > Math.max(0.5, 0.02 * expectedS)) {
      const detail = `decoded ${gotS.toFixed(2)} s of ${expectedS.toFixed(2)} s declared`;
      throw truncated(name, detail, probe.log);
    }
  }
  if (gotS < limits.minDurationS) throw tooShort(name, gotS, limits.minDurationS);
}
