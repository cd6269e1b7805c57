/** Which adapters `npm start` runs for an environment (no adapter is started here). */
import { describe, expect, it } from 'vitest';
import { planAdapters } from '../../../bots/adapters.js';
import { hasCode } from '../../../core/util/errors.js';
import { fakeTelegramToken } from '../fakes/fake-tokens.js';

const TOKEN = fakeTelegramToken();

describe('planAdapters', () => {
  it('runs the web chat when no platform token is set', async () => {
    expect((await planAdapters({})).map((a) => a.platform)).toEqual(['web']);
  });

  it('runs the configured platforms, and the web chat too when WEB_PORT is set', async () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN };
    expect((await planAdapters(env)).map((a) => a.platform)).toEqual(['telegram']);
    expect((await planAdapters({ ...env, WEB_PORT: '0' })).map((a) => a.platform)).toEqual([
      'telegram',
      'web',
    ]);
  });

  it('fails fast on a partly configured adapter, naming the missing variable', async () => {
    const error = await planAdapters({ SLACK_SIGNING_SECRET: 'abcdef' }).catch((e: unknown) => e);
    expect(hasCode(error, 'E_CONFIG')).toBe(true);
    expect((error as Error).message).toContain('SLACK_BOT_TOKEN');
  });
});
