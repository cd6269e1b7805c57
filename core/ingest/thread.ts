/**
 * Worker-thread entry point of the ingest pool (`pool.ts`): loads the embedding model once
 * (`workerData.modelDir`; it must have `workerData.modelVersion`), then analyses the files it is
 * sent with {@link analyzeTrack}, several at once when sent several.
 *
 * Messages in: `{ id, file, options }`, and `{ close: true }` before the pool ends the thread
 * (answered `{ closed: true }` once its decode threads have ended: see `closeDecodeThreads`). Out: `{ id, analysis }` (typed arrays transferred, not
 * copied), `{ id, error: { code, message } }` for a file that cannot be analysed, or
 * `{ id, failure }` when this thread cannot analyse anything (model not loaded): the pool then
 * analyses the file on the main thread.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { closeDecodeThreads } from '../audio/decode-threads.js';
import { type EmbeddingModel, loadEmbeddingModel } from '../model/embedder.js';
import { SynestheteError, toSynestheteError } from '../util/errors.js';
import { analyzeTrack, type TrackAnalysisOptions } from './track-analysis.js';

/** What the pool starts the thread with. */
interface ThreadData {
  readonly modelDir: string;
  readonly modelVersion: string;
}

/** One file to analyse. */
interface Request {
  readonly id: number;
  readonly file: string;
  readonly options: TrackAnalysisOptions;
}

const data = workerData as ThreadData;
const model: Promise<EmbeddingModel> = loadEmbeddingModel(data.modelDir).then((m) => {
  if (m.metadata.version !== data.modelVersion) {
    throw new SynestheteError(
      'E_MODEL',
      `model in ${data.modelDir} is ${m.metadata.version}, not ${data.modelVersion}`,
    );
  }
  return m;
});
model.catch(() => undefined); // reported per request below

parentPort?.on('message', (request: Request | { readonly close: true }) => {
  if ('close' in request) {
    void closeDecodeThreads().finally(() => parentPort?.postMessage({ closed: true }));
    return;
  }
  void (async () => {
    let loaded: EmbeddingModel;
    try {
      loaded = await model;
    } catch (error) {
      parentPort?.postMessage({ id: request.id, failure: toSynestheteError(error).message });
      return;
    }
    try {
      const analysis = await analyzeTrack(request.file, loaded, request.options);
      // Each buffer once (two arrays may share one).
      const transfer = new Set<ArrayBuffer>();
      for (const a of [analysis.embedding, analysis.windowEmbeddings, analysis.fingerprint]) {
        if (a) transfer.add(a.buffer as ArrayBuffer);
      }
      parentPort?.postMessage({ id: request.id, analysis }, [...transfer]);
    } catch (error) {
      const e = toSynestheteError(error);
      parentPort?.postMessage({ id: request.id, error: { code: e.code, message: e.message } });
    }
  })();
});
