/**
 * `synesthete queue …` against a Redis that is not there: one clear line and exit status 1, not a
 * silent wait (BullMQ's clients retry a refused connection forever).
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { checkRedis, redisConnection } from '../../core/queue/connection.js';
import { hasCode } from '../../core/util/errors.js';
import { CLI_MAIN, REPO_ROOT } from '../helpers/paths.js';

it('checkRedis names the address and the socket error', async () => {
  await expect(checkRedis(redisConnection('redis://127.0.0.1:1'))).rejects.toSatisfy(
    (e: unknown) =>
      hasCode(e, 'E_CONFIG') && /Redis at 127\.0\.0\.1:1 \(ECONNREFUSED\)/.test(String(e)),
  );
});

it.each([['status'], ['add', 'data/demo/tracks'], ['work', '--exit-when-drained']])(
  'queue %s says Redis cannot be reached and exits 1',
  (...args: string[]) => {
    const run = spawnSync(
      process.execPath,
      [CLI_MAIN, 'queue', ...args, '--redis', 'redis://127.0.0.1:1'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: cannot reach Redis at 127\.0\.0\.1:1 \(ECONNREFUSED\): /),
    ]);
  },
);
