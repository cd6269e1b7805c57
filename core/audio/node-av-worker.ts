/**
 * A decode thread: loads node-av (FFmpeg's libraries) once and decodes one request at a time
 * (`node-av-decode.ts`), so that the engine's thread never runs FFmpeg code. Messages:
 * `{ id, request }` in (see `NodeAvRequest`), `{ id, reply }` out (see `NodeAvReply`; the PCM's
 * buffer is transferred). `workerData.stop` is the thread's stop flag: the engine sets it when it
 * gives a decode up, and the decode answers `stopped` at its next packet.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeWithLibav, loadLibav } from './node-av-decode.js';
import type { NodeAvReply, NodeAvRequest } from './node-av-protocol.js';

const loading = loadLibav();
// Tells the engine the bindings are loaded: a thread is never ended while it loads them.
void loading.then(() => parentPort?.postMessage({ ready: true }));
const stop: Int32Array = (workerData as { stop?: Int32Array } | null)?.stop ?? new Int32Array(1);
/** True once the engine has given the decode in progress up. */
const stopped = (): boolean => Atomics.load(stop, 0) !== 0;

parentPort?.on('message', async (message: { id: number; request: NodeAvRequest }) => {
  const libav = await loading;
  const reply: NodeAvReply =
    typeof libav === 'string'
      ? { kind: 'unavailable', reason: libav }
      : decodeWithLibav(libav, message.request, stopped);
  const transfer = reply.kind === 'decoded' ? [reply.pcm.buffer as ArrayBuffer] : [];
  parentPort?.postMessage({ id: message.id, reply }, transfer);
});
