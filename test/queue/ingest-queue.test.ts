/**
 * Ingest through the queue with the real Redis and PostgreSQL of the development machine: two
 * worker processes (`synesthete queue work`) share one folder's jobs, and every track is analysed
 * exactly once. Skipped, with the reason in its title, without TEST_DATABASE_URL or when Redis or
 * PostgreSQL cannot be reached.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../core/catalog/open.js';
import { DEFAULT_REDIS_URL, redisConnection } from '../../core/queue/connection.js';
import { enqueueIngest, ingestQueueCounts } from '../../core/queue/ingest-queue.js';
import { createTestDatabase } from '../catalog/fixtures.js';
import { CLI_MAIN, DEMO_TRACKS_DIR } from '../helpers/paths.js';
import { postgresAndRedisSkipReason } from '../helpers/services.js';

const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
/** Set by CI (e.g. postgresql://postgres@127.0.0.1:5432/test); the test is skipped without it. */
const ADMIN_URL = process.env.TEST_DATABASE_URL;

const skipReason = await postgresAndRedisSkipReason(ADMIN_URL, REDIS_URL);
if (skipReason) process.stderr.write(`skipping the queue ingest test: ${skipReason}\n`);
/** Appended to the title, so a skipped run says why. */
const skipNote = skipReason ? ` (skipped: ${skipReason})` : '';

/** What one `queue work` process printed. */
interface WorkerRun {
  readonly code: number | null;
  readonly jobs: Array<{ file: string; worker: string }>;
  readonly stderr: string;
}

/** Runs one `queue work --exit-when-drained --json` process to the end. */
function runWorker(catalog: string, queueName: string): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CLI_MAIN,
        'queue',
        'work',
        '--catalog',
        catalog,
        '--redis',
        REDIS_URL,
        '--queue',
        queueName,
        '--exit-when-drained',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        jobs: out
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { file: string; worker: string }),
        stderr: err,
      }),
    );
  });
}

describe.skipIf(skipReason !== '')(`ingest through the queue (BullMQ on Redis)${skipNote}`, () => {
  const queueName = `synesthete-test-${process.pid}-${Date.now()}`;
  const connection = redisConnection(REDIS_URL);
  const files = readdirSync(DEMO_TRACKS_DIR)
    .filter((n) => n.endsWith('.ogg'))
    .sort()
    .slice(0, 8)
    .map((n) => path.join(DEMO_TRACKS_DIR, n));
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase(ADMIN_URL as string);
  });
  afterAll(async () => {
    const { Queue } = await import('bullmq');
    const queue = new Queue(queueName, { connection });
    await queue.obliterate({ force: true });
    await queue.close();
    await db?.drop();
  });

  it('two worker processes ingest one folder, each track once', async () => {
    const first = await enqueueIngest(files, { connection, queueName });
    expect(first).toEqual({ files: files.length, added: files.length });

    const [a, b] = await Promise.all([runWorker(db.url, queueName), runWorker(db.url, queueName)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);

    // Every file done exactly once, and both workers took part.
    const done = [...a.jobs, ...b.jobs].map((j) => j.file).sort();
    expect(done).toEqual([...files].sort());
    expect(a.jobs.length).toBeGreaterThan(0);
    expect(b.jobs.length).toBeGreaterThan(0);
    process.stdout.write(
      `queue ingest: worker A ${a.jobs.length} tracks, worker B ${b.jobs.length} tracks\n`,
    );

    const counts = await ingestQueueCounts(connection, queueName);
    expect(counts).toMatchObject({ completed: files.length, failed: 0, waiting: 0, active: 0 });

    const catalog = await openCatalog(db.url);
    try {
      const tracks = await catalog.listTracks();
      expect(tracks.map((t) => t.sourcePath).sort()).toEqual([...files].sort());
      expect(tracks.every((t) => t.embedding !== null && t.fingerprint !== null)).toBe(true);
    } finally {
      await catalog.close();
    }

    // Adding the folder again queues nothing: the queue still holds every file's job.
    expect(await enqueueIngest(files, { connection, queueName })).toEqual({
      files: files.length,
      added: 0,
    });
  }, 300_000);
});
