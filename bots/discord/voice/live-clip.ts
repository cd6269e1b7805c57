/**
 * Captured voice audio → the chat service's neutral {@link ClipInput} (kind `live`), so a live
 * answer goes through the same checks, queue, rate limit, music gate, 👍/👎 feedback and
 * rendering as an uploaded clip. The service analyses the PCM directly (`readPcm`); `read()`
 * gives the same audio as an in-memory WAV for consumers that only take bytes. Nothing is written
 * to disk.
 */
import type { ChatAnswer, ChatService, ClipInput } from '../../shared/types.js';
import { conversationId, userKey } from '../parse.js';
import type { CapturedAudio } from './capture.js';

/** Where a live clip was heard and for whom. */
export interface LiveClipContext {
  /** The text channel the answer goes to (its 👍/👎 apply). */
  readonly textChannelId: string;
  /** The member who ran `/listen` (the rate limit is theirs). */
  readonly callerId: string;
}

/**
 * Encodes mono float PCM as a 16-bit PCM WAV file in memory (RIFF/WAVE, `fmt ` chunk 16 bytes,
 * format 1; Microsoft "Multimedia Programming Interface and Data Specifications 1.0").
 *
 * @param pcm - mono samples in [-1, 1] (clipped)
 * @param sampleRate - Hz, a positive integer
 * @returns the file's bytes: 44-byte header + 2 bytes per sample
 */
export function encodeWav(pcm: Float32Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + pcm.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + pcm.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, pcm.length * 2, true);
  for (let i = 0; i < pcm.length; i++) {
    const s = Math.max(-1, Math.min(1, pcm[i] ?? 0));
    view.setInt16(44 + i * 2, Math.round(s * 32_767), true);
  }
  return bytes;
}

/**
 * The {@link ClipInput} for captured audio.
 *
 * @param audio - what the capture heard (mono PCM at 48 kHz)
 * @param context - text channel and caller
 */
export function liveClip(audio: CapturedAudio, context: LiveClipContext): ClipInput {
  return {
    platform: 'discord',
    kind: 'live',
    conversation: conversationId(context.textChannelId),
    user: userKey(context.callerId),
    fileName: 'voice-channel.wav',
    mimeType: 'audio/wav',
    byteLength: audio.pcm.byteLength,
    durationS: audio.seconds,
    read: async () => encodeWav(audio.pcm, audio.sampleRate),
    readPcm: async () => ({ pcm: audio.pcm, sampleRate: audio.sampleRate }),
  };
}

/**
 * Analyses captured audio with the chat service.
 *
 * @param service - the shared chat service
 * @param audio - what the capture heard
 * @param context - text channel and caller
 * @returns the service's answer (it never throws)
 */
export function analyseLive(
  service: ChatService,
  audio: CapturedAudio,
  context: LiveClipContext,
): Promise<ChatAnswer> {
  return service.handleClip(liveClip(audio, context));
}
