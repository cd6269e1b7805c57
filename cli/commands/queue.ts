/**
 * `synesthete queue add|work|status`: ingest through a BullMQ queue on Redis, so that any number
 * of worker processes on any number of machines share the work (see core/queue/).
 */
import { type Command, Option } from 'commander';
import { INGEST_PROFILES, type IngestProfile } from '../../core/ingest/profile.js';
import { progressBar } from '../../core/util/progress-bar.js';
import {
  type CommonOptions,
  engineFrom,
  positiveInt,
  printable,
  reportError,
  withCommonOptions,
} from '../common.js';

interface QueueCliOptions extends CommonOptions {
  redis?: string;
  queue?: string;
  force?: boolean;
  wait?: boolean;
  concurrency?: number;
  exitWhenDrained?: boolean;
  profile?: IngestProfile;
  json?: boolean;
}

function withQueueOptions(command: Command): Command {
  return command
    .option(
      '--redis <url>',
      'Redis holding the queue (default: $REDIS_URL, else redis://127.0.0.1:6379)',
    )
    .option('--queue <name>', 'queue name (default: synesthete-ingest)');
}

/** Loads the queue modules on demand (bullmq and ioredis are not needed by other commands). */
async function queueModules() {
  const [connection, queue] = await Promise.all([
    import('../../core/queue/connection.js'),
    import('../../core/queue/ingest-queue.js'),
  ]);
  return { ...connection, ...queue };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the command. */
export function registerQueue(program: Command): void {
  const queue = program
    .command('queue')
    .description('ingest through a job queue (BullMQ on Redis): many workers, many machines');

  withQueueOptions(
    queue
      .command('add')
      .description('add one ingest job per audio file (a file already queued or done is skipped)')
      .argument('<path...>', 'audio files and folders, as every worker sees them')
      .option('--force', 're-analyse files even when unchanged')
      .option('--wait', 'show progress until every job is done or failed'),
  ).action(async (paths: string[], options: QueueCliOptions) => {
    try {
      const q = await queueModules();
      const connection = q.redisConnection(options.redis);
      await q.checkRedis(connection);
      const queueName = options.queue ?? q.DEFAULT_QUEUE_NAME;
      const { files, added } = await q.enqueueIngest(paths, {
        connection,
        queueName,
        ...(options.force ? { force: true } : {}),
      });
      process.stdout.write(`${files} files, ${added} jobs added to ${queueName}\n`);
      if (options.wait) {
        const start = await q.ingestQueueCounts(connection, queueName);
        const total = start.waiting + start.active + start.delayed + start.completed + start.failed;
        const bar = progressBar(
          'queue |{bar}| {value}/{total} jobs | {active} active | {failed} failed',
        );
        bar.start(total, start.completed + start.failed, {
          active: start.active,
          failed: start.failed,
        });
        for (;;) {
          const c = await q.ingestQueueCounts(connection, queueName);
          bar.update(c.completed + c.failed, { active: c.active, failed: c.failed });
          if (c.waiting + c.active + c.delayed === 0) break;
          await sleep(500);
        }
        bar.stop();
      }
    } catch (error) {
      process.exitCode = reportError(error);
    }
  });

  withCommonOptions(
    withQueueOptions(
      queue
        .command('work')
        .description('analyse queued files into the catalogue (run one per core, on any machine)')
        .option('-j, --concurrency <n>', 'jobs at once in this process (default 1)', positiveInt)
        .addOption(
          new Option('--profile <name>', 'full or fast (one 30 s excerpt per track; see ingest)')
            .choices(INGEST_PROFILES)
            .default('full'),
        )
        .option('--exit-when-drained', 'stop once the queue is empty instead of waiting for more')
        .option('--json', 'one JSON line per job'),
    ),
  ).action(async (options: QueueCliOptions) => {
    try {
      const q = await queueModules();
      await q.checkRedis(q.redisConnection(options.redis));
      const { startIngestWorker } = await import('../../core/queue/ingest-worker.js');
      const engine = await engineFrom(options);
      const queueName = options.queue ?? q.DEFAULT_QUEUE_NAME;
      const worker = startIngestWorker({
        connection: q.redisConnection(options.redis),
        catalog: engine.catalog,
        model: engine.model,
        queueName,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
        onJob: (r) =>
          process.stdout.write(
            options.json
              ? `${JSON.stringify(r)}\n`
              : `${printable(`${r.outcome} ${r.file} (${r.seconds.toFixed(2)} s, ${r.worker})`)}\n`,
          ),
        onFailed: (file, message, willRetry) =>
          process.stderr.write(
            `${printable(`${willRetry ? 'will retry' : 'failed'} ${file}: ${message}`)}\n`,
          ),
      });
      await worker.waitUntilReady();
      process.stderr.write(`worker ${process.pid} ready on ${queueName}\n`);
      const stop = async () => {
        await worker.close();
        await engine.close();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      if (options.exitWhenDrained) {
        const connection = q.redisConnection(options.redis);
        // Drained: nothing waiting right now. Retries wait as "delayed" jobs, so stop only when
        // none is left either (jobs still running elsewhere are their workers' business).
        await new Promise<void>((resolve) => {
          const check = async () => {
            const c = await q.ingestQueueCounts(connection, queueName);
            if (c.waiting + c.delayed === 0) resolve();
          };
          worker.on('drained', () => void check());
          void check();
        });
        await stop();
      }
    } catch (error) {
      process.exitCode = reportError(error);
    }
  });

  withQueueOptions(
    queue.command('status').description('job counts: waiting, active, delayed, completed, failed'),
  )
    .option('--json', 'print the counts as JSON')
    .action(async (options: QueueCliOptions) => {
      try {
        const q = await queueModules();
        const connection = q.redisConnection(options.redis);
        await q.checkRedis(connection);
        const c = await q.ingestQueueCounts(connection, options.queue ?? q.DEFAULT_QUEUE_NAME);
        process.stdout.write(
          options.json
            ? `${JSON.stringify(c)}\n`
            : `waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, completed ${c.completed}, failed ${c.failed}\n`,
        );
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
