/**
 * One `/listen` in one guild, as an explicit state machine (after `@discordjs/voice`'s
 * `AudioPlayer` and `VoiceConnection`):
 *
 * ```
 * idle → joining → listening → analysing → idle                 (once)
 *                      ↑___________|                             (continuous)
 * joining | listening | analysing → idle                         (stop, timeout, error)
 * ```
 *
 * Every wait has a deadline (an AbortSignal): joining ({@link SessionOptions.joinTimeoutMs}),
 * listening (N seconds plus {@link SessionOptions.waitForSoundMs}; in continuous mode the idle
 * timeout), analysing ({@link SessionOptions.analyseTimeoutMs}). `stop()`, a member leaving, the
 * channel emptying and a lost connection abort the current wait. Whatever happens the session
 * ends in `idle` with the channel left; {@link ListenSession.run} never rejects. Audio stays in
 * memory and is dropped after each analysis.
 *
 * In continuous mode a fresh answer is posted when the music changed (another matched track,
 * or another best recommendation) and at most once per {@link SessionOptions.minPostIntervalMs}.
 */
import { EventEmitter } from 'node:events';
import type { ChatAnswer } from '../../shared/types.js';
import type { CapturedAudio, CaptureOptions, OpusReceiver } from './capture.js';
import type { VoiceConnector, VoiceTarget } from './connection.js';

/** The states; `idle` is both the start and the end. */
export type ListenStatus = 'idle' | 'joining' | 'listening' | 'analysing';

/** Allowed transitions (anything else is a bug and throws). */
const TRANSITIONS: Readonly<Record<ListenStatus, readonly ListenStatus[]>> = {
  idle: ['joining'],
  joining: ['listening', 'idle'],
  listening: ['analysing', 'idle'],
  analysing: ['listening', 'idle'],
};

/** How a session ended. */
export type ListenOutcome =
  /** Once mode: the answer was posted. */
  | { readonly reason: 'answered' }
  /** `/stop`. */
  | { readonly reason: 'stopped' }
  /** Continuous mode: nothing heard for the idle timeout; or the session's maximum length. */
  | { readonly reason: 'idle-timeout' }
  | { readonly reason: 'max-duration' }
  /** No human left in the voice channel. */
  | { readonly reason: 'channel-empty' }
  /** The chosen member left the voice channel. */
  | { readonly reason: 'user-left' }
  /** Once mode: too little sound within the deadline (seconds heard). */
  | { readonly reason: 'no-audio'; readonly heardS: number }
  /** Joining failed or timed out. */
  | { readonly reason: 'join-failed'; readonly timedOut: boolean }
  /** The connection dropped and did not come back. */
  | { readonly reason: 'connection-lost' }
  /** Analysis took longer than its deadline. */
  | { readonly reason: 'analysis-timeout' }
  /** Anything unexpected (logged). */
  | { readonly reason: 'error' };

/** Why a wait was aborted from outside. */
type StopReason = 'stopped' | 'channel-empty' | 'user-left';

/** Parameters of one session. */
export interface SessionOptions {
  readonly target: VoiceTarget;
  /** Once: one answer; continuous: answers until stopped. */
  readonly mode: 'once' | 'continuous';
  /** Seconds captured per answer (the N of `/listen`), 5–60. */
  readonly seconds: number;
  /** Only this member's audio; absent: everyone speaking, mixed. */
  readonly userId?: string | undefined;
  /** Deadline to be connected, ms (default 15,000). */
  readonly joinTimeoutMs?: number;
  /** Once mode: how long past N seconds to wait for enough sound, ms (default 30,000). */
  readonly waitForSoundMs?: number;
  /** Silence that ends a capture early, ms (default 2,000; the receiver's AfterSilence). */
  readonly silenceMs?: number;
  /** Least audio analysed, seconds (default 5: the chat service's shortest clip). */
  readonly minSeconds?: number;
  /** Deadline for one analysis, ms (default 30,000). */
  readonly analyseTimeoutMs?: number;
  /** Continuous mode: leave after this long without enough sound, ms (default 180,000). */
  readonly idleTimeoutMs?: number;
  /** Continuous mode: least time between two posts, ms (default 30,000). */
  readonly minPostIntervalMs?: number;
  /** Continuous mode: leave after this long in any case, ms (default 3,600,000). */
  readonly maxDurationMs?: number;
}

/** What a session needs from outside; tests inject every one. */
export interface SessionDeps {
  /** Joins the channel (connection.ts; a fake in tests). */
  readonly connect: VoiceConnector;
  /** Captures audio (capture.ts `captureVoice`). */
  readonly capture: (receiver: OpusReceiver, options: CaptureOptions) => Promise<CapturedAudio>;
  /** Analyses captured audio (the chat service via live-clip.ts). Must not throw. */
  readonly analyse: (audio: CapturedAudio, signal: AbortSignal) => Promise<ChatAnswer>;
  /** Posts a message in the text channel: the "listening" announcement, then answers. */
  readonly post: (message: SessionMessage) => Promise<void>;
  /** Clock in ms (default `performance.now`). */
  readonly now?: () => number;
  /** One log line (no audio, no tokens). */
  readonly log?: (line: string) => void;
}

/** A message the session asks the adapter to post. */
export type SessionMessage =
  | { readonly kind: 'listening' }
  | {
      readonly kind: 'answer';
      readonly answer: ChatAnswer;
      /** Seconds of audio the answer is about. */
      readonly heardS: number;
      /** Continuous mode: posts so far, this one included. */
      readonly count: number;
    };

/** Identity of an answer's music: matched track, else best recommendation; undefined: none. */
export function musicKey(answer: ChatAnswer): string | undefined {
  if (answer.kind !== 'results') return undefined;
  if (answer.match) return `match:${answer.match.trackId}`;
  const first = answer.results[0];
  return first ? `top:${first.trackId}` : undefined;
}

/** A deadline as an AbortSignal (setTimeout-based, so fake timers drive it in tests). */
function deadline(ms: number, ...others: AbortSignal[]): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(ms)), ms);
  return {
    signal: AbortSignal.any([controller.signal, ...others]),
    clear: () => clearTimeout(timer),
  };
}

/** The reason of a deadline's abort. */
class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(ms: number) {
    super(`no result within ${ms} ms`);
  }
}

/** Events: `state` (from, to). */
export class ListenSession extends EventEmitter {
  #status: ListenStatus = 'idle';
  #started = false;
  readonly #stop = new AbortController();
  readonly #options: SessionOptions;
  readonly #deps: SessionDeps;
  readonly #now: () => number;

  /**
   * @param options - where, how long, which mode, timeouts
   * @param deps - connector, capture, analysis, posting, clock
   */
  constructor(options: SessionOptions, deps: SessionDeps) {
    super();
    this.#options = options;
    this.#deps = deps;
    this.#now = deps.now ?? (() => performance.now());
  }

  /** The current state. */
  get status(): ListenStatus {
    return this.#status;
  }

  /** The options it runs with. */
  get options(): SessionOptions {
    return this.#options;
  }

  /**
   * Ends the session from outside: aborts the current wait; `run()` then resolves with this
   * reason. Safe to call in any state, and twice (the first reason wins).
   *
   * @param reason - `/stop`, the channel emptied, or the chosen member left
   */
  stop(reason: StopReason = 'stopped'): void {
    if (!this.#stop.signal.aborted) this.#stop.abort(reason);
  }

  #enter(next: ListenStatus): void {
    const from = this.#status;
    if (!TRANSITIONS[from].includes(next)) {
      throw new Error(`listen session: no transition ${from} → ${next}`);
    }
    this.#status = next;
    this.emit('state', from, next);
  }

  #log(line: string): void {
    try {
      this.#deps.log?.(line);
    } catch {
      // a failing logger must not end a session
    }
  }

  /** The outcome for an aborted wait: /stop and friends first, then a lost link. */
  #abortOutcome(lost: AbortSignal | undefined): ListenOutcome | undefined {
    if (this.#stop.signal.aborted) return { reason: this.#stop.signal.reason as StopReason };
    if (lost?.aborted) return { reason: 'connection-lost' };
    return undefined;
  }

  /**
   * Runs the session to its end: joins, listens, analyses, posts; leaves the channel.
   *
   * @returns how it ended; never rejects
   * @throws Error when called twice (a session runs once)
   */
  async run(): Promise<ListenOutcome> {
    if (this.#started) throw new Error('listen session: run() called twice');
    this.#started = true;
    let leave: (() => void) | undefined;
    try {
      this.#enter('joining');
      const join = deadline(this.#options.joinTimeoutMs ?? 15_000, this.#stop.signal);
      let link: Awaited<ReturnType<VoiceConnector>>;
      try {
        link = await this.#deps.connect(this.#options.target, join.signal);
      } catch (error) {
        const stopped = this.#abortOutcome(undefined);
        if (stopped) return stopped;
        this.#log(`joining voice failed: ${error instanceof Error ? error.message : error}`);
        return { reason: 'join-failed', timedOut: error instanceof DeadlineError };
      } finally {
        join.clear();
      }
      leave = () => link.leave();
      return await this.#listenLoop(link.receiver, link.lost);
    } catch (error) {
      this.#log(`listen session failed: ${error instanceof Error ? error.stack : error}`);
      return { reason: 'error' };
    } finally {
      try {
        leave?.();
      } catch (error) {
        this.#log(`leaving voice failed: ${error instanceof Error ? error.message : error}`);
      }
      if (this.#status !== 'idle') this.#enter('idle');
    }
  }

  async #listenLoop(receiver: OpusReceiver, lost: AbortSignal): Promise<ListenOutcome> {
    const o = this.#options;
    const continuous = o.mode === 'continuous';
    const minSeconds = o.minSeconds ?? 5;
    const minPostIntervalMs = o.minPostIntervalMs ?? 30_000;
    const idleTimeoutMs = o.idleTimeoutMs ?? 180_000;
    const startedAt = this.#now();
    let lastHeardAt = startedAt;
    let lastPostAt: number | undefined;
    let lastKey: string | undefined;
    let posts = 0;

    let announced = false;
    for (;;) {
      if (this.#status !== 'listening') this.#enter('listening');
      const waitMs = continuous
        ? Math.max(1, idleTimeoutMs - (this.#now() - lastHeardAt))
        : o.seconds * 1000 + (o.waitForSoundMs ?? 30_000);
      const cancel = new AbortController();
      const wait = deadline(waitMs, this.#stop.signal, lost, cancel.signal);
      let audio: CapturedAudio;
      try {
        const capturing = this.#deps.capture(receiver, {
          maxSeconds: o.seconds,
          silenceMs: o.silenceMs ?? 2_000,
          minSeconds,
          userId: o.userId,
          signal: wait.signal,
          now: this.#now,
        });
        // Announce once the receiver is subscribed, so that "listening" is true when it is read.
        if (!announced) {
          announced = true;
          await this.#deps.post({ kind: 'listening' }).catch((error: unknown) => {
            cancel.abort();
            throw error;
          });
        }
        audio = await capturing;
      } finally {
        wait.clear();
      }
      const aborted = this.#abortOutcome(lost);
      if (aborted) return aborted;
      const enough = audio.seconds >= minSeconds;
      if (!enough) {
        if (!continuous) return { reason: 'no-audio', heardS: audio.seconds };
        if (this.#now() - lastHeardAt >= idleTimeoutMs) return { reason: 'idle-timeout' };
        continue;
      }
      lastHeardAt = this.#now();

      this.#enter('analysing');
      const analysis = deadline(o.analyseTimeoutMs ?? 30_000, this.#stop.signal, lost);
      let answer: ChatAnswer | undefined;
      try {
        answer = await Promise.race([
          this.#deps.analyse(audio, analysis.signal),
          new Promise<undefined>((resolve) =>
            analysis.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
          ),
        ]);
      } finally {
        analysis.clear();
      }
      const abortedNow = this.#abortOutcome(lost);
      if (abortedNow) return abortedNow;
      if (!answer) {
        if (!continuous) return { reason: 'analysis-timeout' };
        this.#log('live analysis timed out; listening on');
        continue;
      }

      if (!continuous) {
        posts += 1;
        await this.#deps.post({ kind: 'answer', answer, heardS: audio.seconds, count: posts });
        return { reason: 'answered' };
      }
      const key = musicKey(answer);
      const now = this.#now();
      const changed = key !== undefined && key !== lastKey;
      const allowed = lastPostAt === undefined || now - lastPostAt >= minPostIntervalMs;
      if (changed && allowed) {
        posts += 1;
        lastPostAt = now;
        lastKey = key;
        await this.#deps.post({ kind: 'answer', answer, heardS: audio.seconds, count: posts });
      }
      if (now - startedAt >= (o.maxDurationMs ?? 3_600_000)) return { reason: 'max-duration' };
    }
  }
}
