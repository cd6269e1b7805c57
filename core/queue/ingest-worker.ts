/**
 * A queue worker: takes ingest jobs (`ingest-queue.ts`) and analyses each file into the shared
 * catalogue with the same code as `synesthete ingest` (incremental by content hash, tags,
 * fingerprint, upsert). Run as many processes as there are cores, on as many machines as
 * there are; each holds the model and a catalogue connection, nothing else. The track index is
 * not touched: each upsert moves the catalogue's version, and every running engine rebuilds its
 * indexes when it sees that (core/index/live-indexes.ts).
 *
 * @module
 */
import os from 'node:os';
import type { ConnectionOptions } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Catalog } from '../catalog/index.js';
import { ingestPaths } from '../ingest/ingest.js';
import { AnalysisPool } from '../ingest/pool.js';
import type { IngestProfile } from '../ingest/profile.js';
import type { EmbeddingModel } from '../model/embedder.js';
import { DEFAULT_QUEUE_NAME } from './connection.js';
import type { IngestJobData, IngestJobResult } from './ingest-queue.js';

/** Options of {@link startIngestWorker}. */
export interface IngestWorkerOptions {
  readonly connection: ConnectionOptions;
  readonly catalog: Catalog;
  readonly model: EmbeddingModel;
  /** Default {@link DEFAULT_QUEUE_NAME}. */
  readonly queueName?: string;
  /**
   * Jobs analysed at once in this process (default 1: analysis is CPU-bound). Above 1 they are
   * analysed on as many worker threads (core/ingest/pool.ts, one model copy each), so one process
   * can use several cores; or run one process per core.
   */
  readonly concurrency?: number;
  /** How much of each track is analysed (core/ingest/profile.ts; default `full`). */
  readonly profile?: IngestProfile;
  /** Called after each job. */
  readonly onJob?: (result: IngestJobResult) => void;
  /** Called when a job fails (it may be retried). */
  readonly onFailed?: (file: string, message: string, willRetry: boolean) => void;
}

/**
 * Starts a worker on the ingest queue.
 *
 * @returns the BullMQ worker (call `close()` to stop after the jobs in hand)
 */
export function startIngestWorker(
  options: IngestWorkerOptions,
): Worker<IngestJobData, IngestJobResult> {
  const who = `${os.hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? 1;
  // One pool of analysis threads for all of this process's jobs, started with the first job.
  let pool: AnalysisPool | null | undefined = concurrency > 1 ? undefined : null;
  const threads = (): AnalysisPool | null => {
    pool ??= AnalysisPool.create(options.model.dir, options.model.metadata.version, concurrency);
    return pool;
  };
  const worker = new Worker<IngestJobData, IngestJobResult>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (job) => {
      const started = performance.now();
      const shared = pool === null ? null : threads();
      const summary = await ingestPaths(options.catalog, options.model, [job.data.file], {
        concurrency: 1,
        ...(shared ? { pool: shared } : {}),
        ...(job.data.force ? { force: true } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
      });
      const failure = summary.failed[0];
      // An unreadable file will not become readable on a retry.
      if (failure) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
      const outcome =
        summary.added > 0
          ? 'added'
          : summary.updated > 0
            ? 'updated'
            : summary.reused > 0
              ? 'reused'
              : 'unchanged';
      const result = {
        file: job.data.file,
        outcome,
        worker: who,
        seconds: (performance.now() - started) / 1000,
      };
      options.onJob?.(result);
      return result;
    },
    { connection: options.connection, concurrency },
  );
  worker.on('closed', () => void pool?.close());
  worker.on('failed', (job, error) => {
    if (!job) return;
    const willRetry =
      !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    options.onFailed?.(job.data.file, error.message, willRetry);
  });
  return worker;
}
