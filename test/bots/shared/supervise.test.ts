/** Adapters start, fail and retry on their own; start-up fails only when nothing can run. */
import { describe, expect, it } from 'vitest';
import type { PlannedAdapter } from '../../../bots/adapters.js';
import { createChatService } from '../../../bots/shared/chat-service.js';
import type { Platform, RunningAdapter } from '../../../bots/shared/types.js';
import { superviseAdapters } from '../../../bots/supervise.js';
import { SynestheteError } from '../../../core/util/errors.js';
import { createFakeRecommender } from './fake-recommender.js';

/** An adapter whose start attempts follow `outcomes` ('ok', 'down', 'refused' or 'hang'), then 'ok'. */
function adapter(platform: Platform, outcomes: string[]) {
  const stops: string[] = [];
  let tries = 0;
  const planned: PlannedAdapter & { tries: () => number; stops: string[] } = {
    platform,
    stops,
    tries: () => tries,
    start: async (): Promise<RunningAdapter> => {
      const outcome = outcomes[tries++] ?? 'ok';
      if (outcome === 'down') throw new SynestheteError('E_INTERNAL', `cannot reach ${platform}`);
      if (outcome === 'refused')
        throw new SynestheteError('E_CONFIG', `${platform} refused the token`);
      if (outcome === 'hang') await new Promise(() => {});
      return {
        platform,
        description: `${platform} up`,
        stop: async () => {
          stops.push(platform);
        },
      };
    },
  };
  return planned;
}

const service = () => createChatService(createFakeRecommender());

describe('superviseAdapters', () => {
  it('keeps the others serving while one platform is down, and retries it until it is up', async () => {
    const lines: string[] = [];
    const telegram = adapter('telegram', ['down', 'down']);
    const slack = adapter('slack', ['ok']);
    const supervisor = await superviseAdapters([telegram, slack], service(), {
      log: (l) => lines.push(l),
      retryDelaysMs: [20, 40],
    });
    expect(supervisor.running.map((a) => a.platform)).toEqual(['slack']);
    expect(lines).toContain('telegram: not started: cannot reach telegram; trying again in 0 s');
    await new Promise((r) => setTimeout(r, 200));
    expect(supervisor.running.map((a) => a.platform).sort()).toEqual(['slack', 'telegram']);
    expect(telegram.tries()).toBe(3);
    expect(lines).toContain('telegram: telegram up (after 3 tries)');
    await supervisor.stop();
    expect([...telegram.stops, ...slack.stops].sort()).toEqual(['slack', 'telegram']);
  });

  it('starts the web chat when no platform is up after the first wait, and stops retrying on stop()', async () => {
    const lines: string[] = [];
    const telegram = adapter('telegram', ['hang']);
    const web = adapter('web', ['ok']);
    const started = performance.now();
    const supervisor = await superviseAdapters([telegram], service(), {
      log: (l) => lines.push(l),
      fallback: async () => web,
      firstWaitMs: 100,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(supervisor.running.map((a) => a.platform)).toEqual(['web']);
    expect(lines[0]).toBe('no chat platform is up yet: starting the web chat too');
    await supervisor.stop();
  });

  it('does not retry a refused token, and fails when nothing can run', async () => {
    const lines: string[] = [];
    const error = await superviseAdapters(
      [adapter('telegram', ['refused']), adapter('discord', ['refused'])],
      service(),
      { log: (l) => lines.push(l), fallback: async () => adapter('web', ['refused']) },
    ).catch((e: unknown) => e);
    expect((error as SynestheteError).message).toBe('telegram refused the token');
    expect(lines.filter((l) => l.includes('trying again'))).toEqual([]);
    expect(lines).toContain('discord: not started: discord refused the token');
  });
});
