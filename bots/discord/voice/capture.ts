/**
 * Live capture from a voice connection's receiver: one member's audio, or everyone speaking mixed,
 * decoded from Opus and down-mixed into one mono buffer at 48 kHz, until N seconds are captured,
 * the audio goes silent, or the caller aborts. Audio lives in memory only.
 *
 * Streams come from `@discordjs/voice`'s `VoiceReceiver.subscribe()` with
 * `EndBehaviorType.AfterSilence`: the library ends a speaker's stream after `silenceMs` without
 * sound, so no timer of ours cuts utterances. Each stream gets its own prism-media Opus decoder
 * (decoder.ts). Mixing places a stream at its arrival time relative to the capture start, but
 * never after the end of what is already captured, so gaps in which nobody sent anything are
 * dropped (Discord sends nothing while a member is silent).
 */
import type { Readable } from 'node:stream';
import { type EndBehavior, EndBehaviorType } from '@discordjs/voice';
import {
  createOpusDecoder,
  DISCORD_SAMPLE_RATE,
  isSilenceFrame,
  stereoS16ToMono,
} from './decoder.js';

/**
 * The part of `@discordjs/voice`'s `VoiceReceiver` the capture uses: `subscribe()` returns an
 * `AudioReceiveStream` (object mode, one Opus packet per chunk); `speaking` emits `start` with a
 * user id when someone starts sending audio and lists who is sending now.
 */
export interface OpusReceiver {
  subscribe(userId: string, options: { end: EndBehavior }): Readable;
  readonly speaking: {
    readonly users: ReadonlyMap<string, number>;
    on(event: 'start', listener: (userId: string) => void): unknown;
    off(event: 'start', listener: (userId: string) => void): unknown;
  };
}

/** Options of {@link captureVoice}. */
export interface CaptureOptions {
  /** Seconds of audio to capture at most (the N of `/listen`), > 0. */
  readonly maxSeconds: number;
  /**
   * Silence that ends the capture once at least `minSeconds` are captured, ms: the receive
   * stream's `AfterSilence` duration. Before `minSeconds`, a silent speaker is waited for.
   */
  readonly silenceMs: number;
  /** Seconds of audio after which silence may end the capture (default 5). */
  readonly minSeconds?: number;
  /** Capture only this member's audio; absent: everyone speaking, mixed. */
  readonly userId?: string | undefined;
  /**
   * Ends the capture: the promise then resolves with what was captured so far (`endedBy`
   * "aborted"); a deadline, `/stop`, a member leaving or the connection dropping.
   */
  readonly signal: AbortSignal;
  /** Clock in ms (default `performance.now`); tests pass a fake. */
  readonly now?: () => number;
}

/** What {@link captureVoice} heard. */
export interface CapturedAudio {
  /** Mono samples in [-1, 1] at {@link DISCORD_SAMPLE_RATE}; at most `maxSeconds` long. */
  readonly pcm: Float32Array;
  readonly sampleRate: number;
  /** `pcm.length / sampleRate`, seconds. */
  readonly seconds: number;
  /** User ids whose audio is in `pcm`, in the order they were first heard. */
  readonly speakers: readonly string[];
  /** Why the capture ended. */
  readonly endedBy: 'limit' | 'silence' | 'aborted';
  /** `now()` when the last Opus packet was received, or undefined when none was. */
  readonly lastPacketAt: number | undefined;
}

/** One speaker's receive stream and decoder. */
interface Track {
  readonly userId: string;
  readonly stream: Readable;
  readonly decoder: ReturnType<typeof createOpusDecoder>;
  /** Next sample of the mix this stream writes to. */
  cursor: number;
}

/**
 * Captures audio from a voice receiver.
 *
 * @param receiver - the connection's receiver (or a test double with the same shape)
 * @param options - limits, whose audio, abort signal
 * @returns the captured audio; never rejects (a broken stream or a packet that is not Opus ends
 *   that speaker's part only)
 */
export function captureVoice(
  receiver: OpusReceiver,
  options: CaptureOptions,
): Promise<CapturedAudio> {
  const now = options.now ?? (() => performance.now());
  const limit = Math.max(1, Math.round(options.maxSeconds * DISCORD_SAMPLE_RATE));
  const minSamples = Math.round((options.minSeconds ?? 5) * DISCORD_SAMPLE_RATE);
  const mix = new Float32Array(limit);
  const startedAt = now();
  const tracks = new Map<string, Track>();
  /** Where each speaker's last stream ended in the mix. */
  const endOf = new Map<string, number>();
  const speakers: string[] = [];
  let head = 0;
  let lastPacketAt: number | undefined;
  let finished = false;
  const end: EndBehavior = { behavior: EndBehaviorType.AfterSilence, duration: options.silenceMs };

  return new Promise<CapturedAudio>((resolve) => {
    const finish = (endedBy: CapturedAudio['endedBy']): void => {
      if (finished) return;
      finished = true;
      receiver.speaking.off('start', onStart);
      options.signal.removeEventListener('abort', onAbort);
      for (const track of tracks.values()) close(track);
      tracks.clear();
      const pcm = mix.slice(0, head);
      for (let i = 0; i < pcm.length; i++) pcm[i] = Math.max(-1, Math.min(1, pcm[i] ?? 0));
      resolve({
        pcm,
        sampleRate: DISCORD_SAMPLE_RATE,
        seconds: pcm.length / DISCORD_SAMPLE_RATE,
        speakers,
        endedBy,
        lastPacketAt,
      });
    };

    const close = (track: Track): void => {
      track.stream.removeAllListeners('data');
      track.stream.destroy();
      track.decoder.removeAllListeners('data');
      track.decoder.destroy();
    };

    /** A stream ended (silence, error): end the capture or wait for more. */
    const ended = (track: Track): void => {
      if (finished || tracks.get(track.userId) !== track) return;
      tracks.delete(track.userId);
      endOf.set(track.userId, track.cursor);
      close(track);
      if (tracks.size > 0) return;
      if (head >= minSamples) {
        finish('silence');
        return;
      }
      // Too little yet: keep listening to the chosen member (the mix re-subscribes on `start`).
      // The receiver hands out the old stream until it has closed.
      const userId = options.userId;
      if (userId === undefined) return;
      if (track.stream.closed) subscribe(userId);
      else track.stream.once('close', () => subscribe(userId));
    };

    const subscribe = (userId: string): void => {
      if (finished || tracks.has(userId)) return;
      const stream = receiver.subscribe(userId, { end });
      const decoder = createOpusDecoder();
      const wallClock = Math.round(((now() - startedAt) / 1000) * DISCORD_SAMPLE_RATE);
      const track: Track = {
        userId,
        stream,
        decoder,
        cursor: Math.max(endOf.get(userId) ?? 0, Math.min(wallClock, head)),
      };
      tracks.set(userId, track);
      stream.on('data', (packet: Uint8Array) => {
        if (finished || isSilenceFrame(packet)) return;
        lastPacketAt = now();
        decoder.write(packet);
      });
      decoder.on('data', (frame: Uint8Array) => {
        if (finished) return;
        if (!speakers.includes(userId)) speakers.push(userId);
        const mono = stereoS16ToMono(frame);
        const room = Math.min(mono.length, limit - track.cursor);
        for (let i = 0; i < room; i++) mix[track.cursor + i]! += mono[i]!;
        track.cursor += room;
        head = Math.max(head, track.cursor);
        if (head >= limit) finish('limit');
      });
      // The stream ends after `silenceMs` without sound; the decoder then flushes and ends.
      const flush = (): void => {
        if (!decoder.writableEnded) decoder.end();
      };
      stream.once('end', flush);
      stream.once('close', flush);
      stream.once('error', () => ended(track));
      decoder.once('error', () => ended(track));
      decoder.once('end', () => ended(track));
    };

    const onStart = (userId: string): void => {
      if (options.userId === undefined) subscribe(userId);
    };
    const onAbort = (): void => finish('aborted');

    if (options.signal.aborted) {
      finish('aborted');
      return;
    }
    options.signal.addEventListener('abort', onAbort, { once: true });
    receiver.speaking.on('start', onStart);
    if (options.userId !== undefined) subscribe(options.userId);
    else for (const userId of receiver.speaking.users.keys()) subscribe(userId);
  });
}
