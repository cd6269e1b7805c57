/**
 * Which decoder this process decodes with, found by decoding one second of silence the way every
 * input is decoded (for `synesthete doctor` and the benchmarks).
 *
 * @module
 */
import { decodeAudio, fallbackReason } from './decode.js';
import type { DecoderName } from './decode-options.js';

/** The decoder in use and, when it is the fallback, why. */
export interface DecoderStatus {
  /** The decoder that decoded the probe input. */
  readonly decoder: DecoderName;
  /** Why node-av is not used (one line), or null when it is. */
  readonly fallbackReason: string | null;
}

/** One second of 16-bit mono silence at 8 kHz as a WAV file (RIFF, PCM). */
function silentWav(): Uint8Array {
  const rate = 8000;
  const data = rate * 2;
  const bytes = Buffer.alloc(44 + data);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(36 + data, 4);
  bytes.write('WAVEfmt ', 8, 'latin1');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20); // PCM
  bytes.writeUInt16LE(1, 22); // mono
  bytes.writeUInt32LE(rate, 24);
  bytes.writeUInt32LE(rate * 2, 28);
  bytes.writeUInt16LE(2, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'latin1');
  bytes.writeUInt32LE(data, 40);
  return bytes;
}

/**
 * Decodes one second of silence through the decoder list and reports which decoder made it.
 *
 * @returns the decoder and the fallback's reason
 * @throws SynestheteError when no decoder works (e.g. `E_FFMPEG_MISSING`)
 */
export async function decoderStatus(): Promise<DecoderStatus> {
  const decoded = await decodeAudio(silentWav(), {
    sampleRate: 8000,
    minDurationS: 0,
    name: 'probe.wav',
  });
  const decoder = decoded.decodedBy === 'node-av' ? 'node-av' : 'ffmpeg';
  return { decoder, fallbackReason: fallbackReason() };
}
