/** Audio input: decode anything FFmpeg reads to mono Float32 PCM (node-av, else the ffmpeg program). */
export {
  DECODE_DEFAULTS,
  type DecodedAudio,
  type DecodedSegment,
  type DecodeOptions,
  type DecoderName,
  decodeAudio,
  fallbackReason,
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
