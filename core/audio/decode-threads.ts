/**
 * The decode threads: worker threads that run FFmpeg's libraries (`node-av-worker.ts`), so that a
 * user's file never runs on the engine's thread and a chat keeps answering while one decodes. A
 * thread takes one decode at a time; idle threads are kept (unreferenced: they never keep the
 * process alive) for the next decode, up to the number of cores. A decode that is cancelled or
 * runs past its time cap ends its thread (`Worker.terminate`) and gives its place back at once; a
 * thread's JavaScript heap is capped (`resourceLimits`), and one that runs out of it ends too.
 *
 * Under vitest the sources are TypeScript and there is no compiled thread file: the thread then
 * runs the `.ts` file through tsx, which the tests have.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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

const idle: Worker[] = [];
let nextId = 0;

/** The thread's script and the Node options it needs (tsx for TypeScript sources). */
function threadScript(): { file: string; execArgv: string[] } {
  const compiled = fileURLToPath(new URL('./node-av-worker.js', import.meta.url));
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  return {
    file: fileURLToPath(new URL('./node-av-worker.ts', import.meta.url)),
    execArgv: ['--import', 'tsx'],
  };
}

function startThread(): Worker {
  const { file, execArgv } = threadScript();
  return new Worker(file, {
    execArgv,
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: 16 },
  });
}

/**
 * Runs one decode on a decode thread.
 *
 * @param request - what to decode (see {@link NodeAvRequest})
 * @param signal - aborting ends the thread at once and rejects with `signal.reason`
 * @returns the thread's reply (the PCM's buffer was transferred, not copied)
 * @throws `signal.reason` when aborted; {@link DecodeThreadFailure} when the thread failed,
 *   exited, or ran out of memory
 */
export function decodeOnThread(request: NodeAvRequest, signal: AbortSignal): Promise<NodeAvReply> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const worker = idle.pop() ?? startThread();
  worker.ref();
  const id = nextId++;
  return new Promise<NodeAvReply>((resolve, reject) => {
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onAbort = (): void => {
      cleanup();
      // Not awaited: the caller's place is free now, whatever the thread is doing.
      void worker.terminate();
      reject(signal.reason);
    };
    const onMessage = (message: { id: number; reply: NodeAvReply }): void => {
      if (message.id !== id) return;
      cleanup();
      worker.unref();
      if (idle.length < os.availableParallelism()) idle.push(worker);
      else void worker.terminate();
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

/** Ends every idle decode thread (tests; a process that is about to exit need not call it). */
export async function closeDecodeThreads(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}
