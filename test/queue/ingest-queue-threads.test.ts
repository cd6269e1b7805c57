/**
 * One queue worker process using both cores: `synesthete queue work -j 2 --profile fast` analyses
 * two jobs at once on its two analysis threads (core/ingest/pool.ts), with the real Redis and
 * PostgreSQL of the development machine; every track is analysed once, and the process exits when
 * the queue is drained (its threads stopped). Skipped, with the reason in its title, without
 * TEST_DATABASE_URL or when Redis or PostgreSQL cannot be reached.
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
function runWorker(catalog: string, queueName: string, extra: string[]): Promise<WorkerRun> {
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
        ...extra,
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

describe.skipIf(skipReason !== '')(`one queue worker on two analysis threads${skipNote}`, () => {
  const queueName = `synesthete-test-threads-${process.pid}-${Date.now()}`;
  const connection = redisConnection(REDIS_URL);
  const files = readdirSync(DEMO_TRACKS_DIR)
    .filter((n) => n.endsWith('.ogg'))
    .sort()
    .slice(8, 14)
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

  it('analyses every queued track once and exits when drained', async () => {
    expect(await enqueueIngest(files, { connection, queueName })).toEqual({
      files: files.length,
      added: files.length,
    });
    const run = await runWorker(db.url, queueName, ['-j', '2', '--profile', 'fast']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.jobs.map((j) => j.file).sort()).toEqual([...files].sort());
    const counts = await ingestQueueCounts(connection, queueName);
    expect(counts).toMatchObject({ completed: files.length, failed: 0, waiting: 0, active: 0 });
    const catalog = await openCatalog(db.url);
    try {
      const tracks = await catalog.listTracks();
      expect(tracks.map((t) => t.sourcePath).sort()).toEqual([...files].sort());
      expect(tracks.every((t) => t.embedding !== null && t.fingerprint !== null)).toBe(true);
      expect(tracks.every((t) => t.windowCount > 0 && t.windowCount <= 20)).toBe(true);
    } finally {
      await catalog.close();
    }
  }, 300_000);
});
