/**
 * Ingest as jobs on a queue (BullMQ on Redis), for catalogues that outgrow one machine: a
 * producer lists a folder and adds one job per audio file; any number of worker processes on any
 * number of machines (`ingest-worker.ts`, `synesthete queue work`) take jobs and analyse the
 * files into one shared catalogue (PostgreSQL). What the queue gives for free:
 *
 * - each track once: the job id is derived from the file's path, and BullMQ refuses a second job
 *   with an id it still holds (completed jobs are kept for {@link KEEP_COMPLETED_S});
 * - retries: {@link JOB_ATTEMPTS} attempts with exponential back-off for transient failures
 *   (database gone, worker killed: a stalled job goes back to waiting); an unreadable file fails
 *   at once;
 * - back-pressure: the producer adds jobs in batches and waits while more than `maxWaiting` are
 *   queued, so a 100M-file listing never sits in Redis at once;
 * - progress: job counts by state ({@link ingestQueueCounts}).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import { collectAudioFiles } from '../ingest/ingest.js';
import { DEFAULT_QUEUE_NAME } from './connection.js';

/** Attempts per job (the first included). */
export const JOB_ATTEMPTS = 3;
/** First retry delay, ms (then doubled). */
export const RETRY_DELAY_MS = 2_000;
/** Completed jobs are kept this long (seconds), so that re-adding a folder skips them: 7 days. */
export const KEEP_COMPLETED_S = 7 * 24 * 3600;
/** Jobs added per round trip to Redis. */
const BATCH = 500;

/** The data of one ingest job. */
export interface IngestJobData {
  /** Absolute path (or URI) of the audio file, as every worker sees it (a shared mount). */
  readonly file: string;
  /** Re-analyse even when the catalogue has the file unchanged. */
  readonly force?: boolean;
}

/** What a worker returns for a job. */
export interface IngestJobResult {
  readonly file: string;
  /** added | updated | unchanged | reused. */
  readonly outcome: string;
  /** Process id and host name of the worker that did it. */
  readonly worker: string;
  readonly seconds: number;
}

/** Job counts by state. */
export interface IngestQueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
}

/** Options of {@link enqueueIngest}. */
export interface EnqueueOptions {
  readonly connection: ConnectionOptions;
  /** Queue name (default {@link DEFAULT_QUEUE_NAME}). */
  readonly queueName?: string;
  readonly force?: boolean;
  /** Back-pressure: wait while more jobs than this are waiting (default 10,000). */
  readonly maxWaiting?: number;
  /** Called after each batch with the number of files added so far. */
  readonly onBatch?: (added: number, total: number) => void;
}

/**
 * The job id of a file: `ingest-` + sha1 of its path (BullMQ ids must not be plain integers or
 * contain `:`).
 */
export function ingestJobId(file: string): string {
  return `ingest-${createHash('sha1').update(file).digest('hex')}`;
}

/**
 * Lists the audio files under `inputs` and adds one job per file.
 *
 * @param inputs - files and folders (searched recursively; see `collectAudioFiles`)
 * @returns files found and jobs the queue accepted (a file whose job it still holds is skipped)
 * @throws SynestheteError `E_NOT_FOUND` for a missing input; Redis errors as thrown by BullMQ
 */
export async function enqueueIngest(
  inputs: readonly string[],
  options: EnqueueOptions,
): Promise<{ files: number; added: number }> {
  const { files } = await collectAudioFiles(inputs);
  const queue = new Queue<IngestJobData, IngestJobResult>(options.queueName ?? DEFAULT_QUEUE_NAME, {
    connection: options.connection,
  });
  const maxWaiting = options.maxWaiting ?? 10_000;
  const opts: JobsOptions = {
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: RETRY_DELAY_MS },
    removeOnComplete: { age: KEEP_COMPLETED_S },
    removeOnFail: { age: KEEP_COMPLETED_S },
  };
  let added = 0;
  try {
    for (let at = 0; at < files.length; at += BATCH) {
      while ((await queue.getWaitingCount()) > maxWaiting) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const batch = files.slice(at, at + BATCH);
      const known = await Promise.all(batch.map((f) => queue.getJob(ingestJobId(f))));
      const fresh = batch.filter((_, i) => known[i] === undefined);
      await queue.addBulk(
        fresh.map((file) => ({
          name: 'ingest',
          data: { file, ...(options.force ? { force: true } : {}) },
          opts: { ...opts, jobId: ingestJobId(file) },
        })),
      );
      added += fresh.length;
      options.onBatch?.(Math.min(at + BATCH, files.length), files.length);
    }
  } finally {
    await queue.close();
  }
  return { files: files.length, added };
}

/**
 * Job counts of the ingest queue by state (progress as every worker sees it).
 *
 * @param connection - Redis
 * @param queueName - default {@link DEFAULT_QUEUE_NAME}
 */
export async function ingestQueueCounts(
  connection: ConnectionOptions,
  queueName = DEFAULT_QUEUE_NAME,
): Promise<IngestQueueCounts> {
  const queue = new Queue(queueName, { connection });
  try {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    return {
      waiting: c.waiting ?? 0,
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  } finally {
    await queue.close();
  }
}
