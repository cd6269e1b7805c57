/**
 * Discord voice without Discord: real Opus packets made from real music, a receiver built from
 * `@discordjs/voice`'s own `AudioReceiveStream` and `SpeakingMap` (so end-after-silence and
 * speaking events behave as in the library), and a voice connector that joins nothing.
 *
 * Packets are what Discord delivers after RTP/DAVE decryption: one 20 ms Opus frame at 48 kHz
 * stereo each, encoded by prism-media's Opus encoder (opusscript) from ffmpeg-decoded audio.
 */
import { spawn } from 'node:child_process';
import {
  AudioReceiveStream,
  type EndBehavior,
  EndBehaviorType,
  SpeakingMap,
} from '@discordjs/voice';
import prism from 'prism-media';
import type { OpusReceiver } from '../../../bots/discord/voice/capture.js';
import type { VoiceConnector, VoiceLink } from '../../../bots/discord/voice/connection.js';
import {
  DISCORD_CHANNELS,
  DISCORD_FRAME_SAMPLES,
  DISCORD_SAMPLE_RATE,
} from '../../../bots/discord/voice/decoder.js';
import { ffmpegBinary } from '../../helpers/audio.js';

/** Bytes of one 20 ms frame of s16le stereo PCM at 48 kHz. */
const FRAME_BYTES = DISCORD_FRAME_SAMPLES * DISCORD_CHANNELS * 2;

/**
 * Decodes `seconds` of a file from `startS` to interleaved s16le stereo PCM at 48 kHz (ffmpeg).
 *
 * @param gain - linear gain applied by ffmpeg (default 1)
 */
export function pcm48kStereo(
  file: string,
  startS: number,
  seconds: number,
  gain = 1,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const args = ['-hide_banner', '-loglevel', 'error', '-ss', String(startS), '-t'];
    args.push(String(seconds), '-i', file, '-af', `volume=${gain}`, '-ac', '2', '-ar', '48000');
    args.push('-f', 's16le', 'pipe:1');
    const child = spawn(ffmpegBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg ${code}: ${stderr}`)),
    );
  });
}

/**
 * Encodes s16le stereo PCM at 48 kHz into 20 ms Opus packets, as a Discord client sends them
 * (prism-media `opus.Encoder`, 960 samples per frame; a final partial frame is dropped).
 */
export function encodeOpusPackets(pcm: Buffer): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const encoder = new prism.opus.Encoder({
      rate: DISCORD_SAMPLE_RATE,
      channels: DISCORD_CHANNELS,
      frameSize: DISCORD_FRAME_SAMPLES,
    });
    const packets: Buffer[] = [];
    encoder.on('data', (packet: Buffer) => packets.push(packet));
    encoder.once('error', reject);
    encoder.once('end', () => resolve(packets));
    const whole = pcm.subarray(0, pcm.length - (pcm.length % FRAME_BYTES));
    for (let i = 0; i < whole.length; i += FRAME_BYTES) {
      encoder.write(whole.subarray(i, i + FRAME_BYTES));
    }
    encoder.end();
  });
}

/** Opus packets of `seconds` of a file from `startS` (see {@link encodeOpusPackets}). */
export async function opusPacketsOf(
  file: string,
  startS: number,
  seconds: number,
  gain = 1,
): Promise<Buffer[]> {
  return encodeOpusPackets(await pcm48kStereo(file, startS, seconds, gain));
}

/** Discord's Opus silence frame. */
export const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);

/**
 * A receiver shaped like `VoiceReceiver`: `subscribe()` hands out a real `AudioReceiveStream`
 * (one per user until it closes), `speaking` is a real `SpeakingMap`.
 */
export class FakeReceiver implements OpusReceiver {
  readonly speaking = new SpeakingMap();
  readonly subscriptions = new Map<string, AudioReceiveStream>();
  /** Every subscribe() call: user id and end behaviour. */
  readonly subscribeCalls: { userId: string; end: EndBehavior }[] = [];

  subscribe(userId: string, options: { end: EndBehavior }): AudioReceiveStream {
    this.subscribeCalls.push({ userId, end: options.end });
    const existing = this.subscriptions.get(userId);
    if (existing) return existing;
    const stream = new AudioReceiveStream({ end: options.end });
    stream.once('close', () => this.subscriptions.delete(userId));
    this.subscriptions.set(userId, stream);
    return stream;
  }

  /**
   * Delivers packets from a user as `VoiceReceiver.onUdpMessage` does: marks them speaking, then
   * pushes into their subscription if there is one. Yields to the event loop after each packet
   * (so decoding keeps pace, as with packets arriving every 20 ms) without waiting 20 ms.
   *
   * @returns `performance.now()` right after the last packet was pushed
   */
  async play(userId: string, packets: readonly Buffer[]): Promise<number> {
    let last = performance.now();
    for (const packet of packets) {
      this.speaking.onPacket(userId);
      this.subscriptions.get(userId)?.push(packet);
      last = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return last;
  }
}

/** The end behaviour capture asks for (used in assertions). */
export const AFTER_SILENCE = EndBehaviorType.AfterSilence;

/** A voice link over a {@link FakeReceiver}, recording joins and leaves. */
export interface FakeVoice {
  readonly receiver: FakeReceiver;
  readonly connector: VoiceConnector;
  /** Targets joined, in order. */
  readonly joins: { guildId: string; channelId: string }[];
  /** How many links were left. */
  readonly leaves: number;
  /** Drops the current link for good (as when reconnecting failed). */
  dropConnection(): void;
  /** Resolves when the next join happens. */
  joined(): Promise<void>;
}

/**
 * A connector that "joins" at once (or fails, or never gets Ready) without any network.
 *
 * @param behaviour - "ready" (default), "fail" (throws), "hang" (never Ready: only the join's
 *   AbortSignal ends it)
 */
export function fakeVoice(behaviour: 'ready' | 'fail' | 'hang' = 'ready'): FakeVoice {
  const receiver = new FakeReceiver();
  const joins: { guildId: string; channelId: string }[] = [];
  let leaves = 0;
  let lost: AbortController | undefined;
  let onJoin: (() => void) | undefined;
  const connector: VoiceConnector = async (target, signal) => {
    joins.push({ guildId: target.guildId, channelId: target.channelId });
    onJoin?.();
    if (behaviour === 'fail') throw new Error('voice server refused the connection');
    if (behaviour === 'hang') {
      await new Promise((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    signal.throwIfAborted();
    lost = new AbortController();
    const controller = lost;
    const link: VoiceLink = {
      receiver,
      lost: controller.signal,
      leave() {
        leaves += 1;
        if (!controller.signal.aborted) controller.abort(new Error('left'));
      },
    };
    return link;
  };
  return {
    receiver,
    connector,
    joins,
    get leaves() {
      return leaves;
    },
    dropConnection() {
      lost?.abort(new Error('dropped'));
    },
    joined() {
      return new Promise<void>((resolve) => {
        onJoin = resolve;
      });
    },
  };
}
