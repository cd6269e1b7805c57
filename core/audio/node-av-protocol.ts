/**
 * The messages between the engine and its decode threads (`node-av-worker.ts`): what one decode
 * asks for and what comes back. Plain data only, so that a message crosses threads as it is
 * (structured clone; the PCM's buffer is transferred, not copied).
 *
 * @module
 */
import type { AudioProbe } from './probe.js';
import type { SegmentSpan } from './segment-plan.js';

/** One decode, as the engine's thread asks a decode thread for it. */
export interface NodeAvRequest {
  /** Absolute path of a regular file (checked by the caller). */
  readonly file: string;
  /** Output sample rate, Hz. */
  readonly sampleRate: number;
  /** Where the first span starts in the source, seconds (≥ 0). */
  readonly startS: number;
  /** The most seconds of output (see `DecodeOptions.maxAnalysedS`). */
  readonly maxAnalysedS: number;
  /** Segments spread over a source longer than `maxAnalysedS` (1: one span from `startS`). */
  readonly segments: number;
  /** A source whose container says it is longer than this is not decoded, seconds. */
  readonly maxDurationS: number;
  /** Bytes the demuxer may read in all (seeks included); past it the decode stops. */
  readonly maxReadBytes: number;
  /** Bytes at the start of the file the demuxer skips (an ID3v2 tag), ≥ 0. */
  readonly skipBytes: number;
}

/** The container's description as the demuxer gives it. */
export type NodeAvProbe = Omit<AudioProbe, 'log'>;

/** What a decode thread answers. */
export type NodeAvReply =
  /** Decoded: mono PCM in [-1, 1] for `spans`, one stretch per span in `lengths`. */
  | {
      readonly kind: 'decoded';
      readonly probe: NodeAvProbe;
      readonly spans: SegmentSpan[];
      readonly pcm: Float32Array;
      /** Samples decoded per span, in order. */
      readonly lengths: number[];
      /** A packet or frame was flagged corrupt (what the ffmpeg program logs as "Packet corrupt"). */
      readonly corrupt: boolean;
      /** Bytes the demuxer read. */
      readonly readBytes: number;
    }
  /** Described but not decoded: no audio stream, longer than `maxDurationS`, or `startS` past the end. */
  | { readonly kind: 'probed'; readonly probe: NodeAvProbe }
  /** FFmpeg could not open or read the file; `reason` is its error text. */
  | { readonly kind: 'unreadable'; readonly reason: string }
  /** The demuxer read more than `maxReadBytes`. */
  | { readonly kind: 'read-limit'; readonly readBytes: number }
  /** The engine gave the decode up (cancelled, or past its time cap) and raised the stop flag. */
  | { readonly kind: 'stopped' }
  /** node-av cannot run in this thread (not installed, fails to load, or turned off). */
  | { readonly kind: 'unavailable'; readonly reason: string };
