/**
 * The decode threads: worker threads that run FFmpeg's libraries (`node-av-worker.ts`), so that a
 * user's file never runs on the engine's thread and a chat keeps answering while one decodes. A
 * thread takes one decode at a time; idle threads are kept (unreferenced: they never keep the
 * process alive) for the next decode, up to the number of cores. A thread's JavaScript heap is
 * capped (`resourceLimits`), and one that runs out of it ends.
 *
 * A decode that is cancelled or runs past its time cap gives its place back at once and raises
 * the thread's stop flag (a shared `Int32Array` the decode reads between packets); the thread
 * answers "stopped" within one packet and is reused. It is not ended with `Worker.terminate`
 * while it runs: ending a thread inside a call into FFmpeg's bindings aborts the whole process
 * (node-addon-api cannot throw into a thread that is being ended). Only a thread that does not
 * answer its flag within {@link STOP_GRACE_MS} is ended. For the same reason a thread is never
 * ended while it loads the bindings (it says `{ ready: true }` once loaded), and
 * {@link closeDecodeThreads} ends each thread between decodes.
 *
 * Under vitest the sources are TypeScript and there is no compiled thread file: the thread then
 * runs the `.ts` file through tsx, which the tests have.
 *
 * @module
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { threadScript } from '../util/thread-script.js';
import type { NodeAvReply, NodeAvRequest } from './node-av-protocol.js';

/** Heap of one decode thread, MiB: the output PCM lives outside it (an ArrayBuffer). */
const THREAD_HEAP_MB = 96;

/** Why a decode thread could not deliver a reply (it died, or ran out of its heap). */
export class DecodeThreadFailure extends Error {
  /** True when the thread ran out of its memory cap (`ERR_WORKER_OUT_OF_MEMORY`). */
  readonly outOfMemory: boolean;

  /**
   * @param message - what happened to the thread
   * @param outOfMemory - see {@link DecodeThreadFailure.outOfMemory}
   */
  constructor(message: string, outOfMemory: boolean) {
    super(message);
    this.name = 'DecodeThreadFailure';
    this.outOfMemory = outOfMemory;
  }
}

/** How long a stopped decode may take to answer its flag before its thread is ended, ms. */
const STOP_GRACE_MS = 10_000;

/** A decode thread and its stop flag (element 0: 1 = stop the decode in progress). */
interface DecodeThread {
  readonly worker: Worker;
  readonly stop: Int32Array;
  /** Settles once the thread has loaded (or failed to load) FFmpeg's bindings, or has exited. */
  readonly ready: Promise<void>;
  /** Settles once the thread's decode in progress has answered (or the thread has exited). */
  work: Promise<void>;
}

const idle: DecodeThread[] = [];
/** Every thread that has not exited, busy or idle. */
const live = new Set<DecodeThread>();
let nextId = 0;

/**
 * Ends a thread once it is between calls into the bindings: after it has loaded them and answered
 * its decode in progress, or after {@link STOP_GRACE_MS} at most.
 */
async function endThread(thread: DecodeThread): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([thread.ready, thread.work]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, STOP_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  await thread.worker.terminate();
}

function startThread(): DecodeThread {
  const { file, execArgv } = threadScript('./node-av-worker', import.meta.url);
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(file, {
    execArgv,
    workerData: { stop },
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: 16 },
  });
  const ready = new Promise<void>((resolve) => {
    const onReady = (message: { ready?: boolean }): void => {
      if (message.ready !== true) return;
      worker.off('message', onReady);
      resolve();
    };
    worker.on('message', onReady);
    worker.once('exit', () => resolve());
  });
  const thread: DecodeThread = { worker, stop, ready, work: Promise.resolve() };
  live.add(thread);
  worker.once('exit', () => live.delete(thread));
  // An 'error' is also followed by 'exit'; without a listener it would be thrown.
  worker.on('error', () => undefined);
  return thread;
}

/** Keeps an idle thread for the next decode, or ends it when enough are kept. */
function release(thread: DecodeThread): void {
  thread.worker.unref();
  Atomics.store(thread.stop, 0, 0);
  if (idle.length < os.availableParallelism()) idle.push(thread);
  else void endThread(thread);
}

/**
 * After a decode was given up: waits for the thread's answer to its stop flag and keeps the
 * thread, or ends it after {@link STOP_GRACE_MS} without one.
 */
function reclaim(thread: DecodeThread, id: number): void {
  const { worker } = thread;
  Atomics.store(thread.stop, 0, 1);
  const done = (): void => {
    clearTimeout(timer);
    worker.off('message', onMessage);
    worker.off('exit', done);
    worker.off('error', onError);
  };
  const onMessage = (message: { id: number }): void => {
    if (message.id !== id) return;
    done();
    release(thread);
  };
  const onError = (): void => {
    done();
    void worker.terminate();
  };
  const timer = setTimeout(() => {
    done();
    void worker.terminate();
  }, STOP_GRACE_MS);
  timer.unref();
  worker.on('message', onMessage);
  worker.on('exit', done);
  worker.on('error', onError);
}

/**
 * Starts one decode thread ahead of the first decode, so that a process about to answer a clip
 * (the CLI's `recommend`, a chat bot) loads FFmpeg's libraries while it opens its catalogue rather
 * than after. The thread waits idle (unreferenced) for the first {@link decodeOnThread}. Does
 * nothing when a thread is already idle, or with `SYNESTHETE_LIBAV=0`.
 */
export function prestartDecodeThread(): void {
  // Turned off: decodes run the ffmpeg program, and no thread would be used.
  if (idle.length > 0 || process.env.SYNESTHETE_LIBAV === '0') return;
  const thread = startThread();
  thread.worker.unref();
  idle.push(thread);
}

/**
 * Runs one decode on a decode thread.
 *
 * @param request - what to decode (see {@link NodeAvRequest})
 * @param signal - aborting rejects at once with `signal.reason` and stops the decode (see the
 *   module's notes)
 * @returns the thread's reply (the PCM's buffer was transferred, not copied)
 * @throws `signal.reason` when aborted; {@link DecodeThreadFailure} when the thread failed,
 *   exited, or ran out of memory
 */
export function decodeOnThread(request: NodeAvRequest, signal: AbortSignal): Promise<NodeAvReply> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const thread = idle.pop() ?? startThread();
  const { worker } = thread;
  worker.ref();
  const id = nextId++;
  thread.work = new Promise<void>((settle) => {
    const done = (): void => {
      worker.off('message', onReply);
      worker.off('exit', done);
      settle();
    };
    const onReply = (message: { id?: number }): void => {
      if (message.id === id) done();
    };
    worker.on('message', onReply);
    worker.on('exit', done);
  });
  return new Promise<NodeAvReply>((resolve, reject) => {
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onAbort = (): void => {
      cleanup();
      // The caller's place is free now, whatever the thread is doing.
      reclaim(thread, id);
      reject(signal.reason);
    };
    const onMessage = (message: { id: number; reply: NodeAvReply }): void => {
      if (message.id !== id) return;
      cleanup();
      release(thread);
      resolve(message.reply);
    };
    const onError = (error: Error & { code?: string }): void => {
      cleanup();
      void worker.terminate();
      const oom = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      reject(new DecodeThreadFailure(`decode thread failed: ${error.message}`, oom));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new DecodeThreadFailure(`decode thread exited with code ${code}`, false));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ id, request });
  });
}

/**
 * Ends every decode thread, each once it is between calls into FFmpeg's bindings (a thread ended
 * while it loads or runs them would abort the process): call it before ending the thread this
 * module runs on (an ingest thread) and in tests. Waits at most {@link STOP_GRACE_MS} for a busy
 * thread.
 */
export async function closeDecodeThreads(): Promise<void> {
  idle.length = 0;
  await Promise.all([...live].map(endThread));
}
