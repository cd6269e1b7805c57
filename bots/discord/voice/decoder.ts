/**
 * Discord voice audio: the Opus format of the receive path, prism-media's Opus decoder for it,
 * and the down-mix of its interleaved stereo output to mono.
 *
 * Discord sends Opus at 48 kHz, 2 channels, one 20 ms frame (960 samples per channel) per RTP
 * packet (Discord developer docs, "Voice Connections → Voice Data Interpolation"; @discordjs/voice
 * plays with the same constants). When a speaker goes quiet it sends five silence frames
 * `F8 FF FE` (same docs), which carry no sound and are skipped here.
 */
import prism from 'prism-media';

/** Sample rate of Discord voice, Hz. */
export const DISCORD_SAMPLE_RATE = 48_000;

/** Channels of Discord voice (interleaved in decoded PCM). */
export const DISCORD_CHANNELS = 2;

/** Samples per channel in one 20 ms Opus frame at 48 kHz. */
export const DISCORD_FRAME_SAMPLES = 960;

/** Duration of one Opus frame, ms. */
export const DISCORD_FRAME_MS = 20;

/** Discord's 3-byte Opus silence frame (sent five times when a speaker stops). */
export const OPUS_SILENCE_FRAME: Readonly<Uint8Array> = Uint8Array.of(0xf8, 0xff, 0xfe);

/**
 * True for Discord's Opus silence frame.
 *
 * @param packet - one Opus packet as the receive stream yields it
 */
export function isSilenceFrame(packet: Uint8Array): boolean {
  return (
    packet.length === 3 &&
    packet[0] === OPUS_SILENCE_FRAME[0] &&
    packet[1] === OPUS_SILENCE_FRAME[1] &&
    packet[2] === OPUS_SILENCE_FRAME[2]
  );
}

/**
 * A fresh prism-media Opus decoder for one speaker's stream (Opus keeps state between packets, so
 * never share one between speakers). Write one Opus packet per `write()`; each `data` event is
 * one frame of interleaved s16le stereo PCM at 48 kHz (3,840 bytes for 20 ms). It uses
 * `@discordjs/opus` when installed, else `opusscript` (WebAssembly).
 *
 * @returns a Transform stream; it emits `error` for a packet that is not Opus (and then ends)
 */
export function createOpusDecoder(): prism.opus.Decoder {
  return new prism.opus.Decoder({
    rate: DISCORD_SAMPLE_RATE,
    channels: DISCORD_CHANNELS,
    frameSize: DISCORD_FRAME_SAMPLES,
  });
}

/**
 * Down-mixes interleaved s16le stereo PCM to mono float: (left + right) / 2 / 32,768.
 *
 * @param frame - interleaved s16le stereo PCM (4 bytes per sample frame; a trailing partial
 *   sample frame is ignored)
 * @returns mono samples in [-1, 1), one per stereo sample frame
 */
export function stereoS16ToMono(frame: Uint8Array): Float32Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const n = Math.floor(frame.byteLength / 4);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (view.getInt16(i * 4, true) + view.getInt16(i * 4 + 2, true)) / 65_536;
  }
  return out;
}
