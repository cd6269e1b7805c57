/** Audio input: find ffmpeg, decode anything it reads to mono Float32 PCM. */
export {
  DECODE_DEFAULTS,
  type DecodedAudio,
  type DecodedSegment,
  type DecodeOptions,
  decodeAudio,
} from './decode.js';
export {
  clearFfmpegCache,
  FFMPEG_INSTALL_HINT,
  type FfmpegInfo,
  type FfmpegSource,
  resolveFfmpeg,
} from './ffmpeg.js';
export { type AudioProbe, probeAudio } from './probe.js';
export { planSegments, type SegmentSpan } from './segment-plan.js';
