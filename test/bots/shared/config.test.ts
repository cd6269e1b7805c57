import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeEnv,
  ENV_VARS,
  envExample,
  intFromEnv,
  readScopeEnv,
  redactSecrets,
  validateEnv,
} from '../../../bots/shared/config.js';
import { hasCode } from '../../../core/util/errors.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { fakeSlackToken, fakeTelegramToken } from '../fakes/fake-tokens.js';

const SLACK = fakeSlackToken('xoxb');

const TOKEN = fakeTelegramToken();

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(hasCode(error, 'E_CONFIG')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected E_CONFIG');
}

describe('bot configuration', () => {
  it('.env.example is generated from the list (run `npm run env-example` after changing it)', () => {
    const file = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    expect(file).toBe(envExample());
    for (const v of ENV_VARS) expect(file).toContain(v.name);
  });

  it('an adapter without its token is off; with it, its variables are read and checked', () => {
    expect(readScopeEnv('telegram', {})).toBeUndefined();
    expect(readScopeEnv('telegram', { TELEGRAM_BOT_TOKEN: ` ${TOKEN} ` })).toEqual({
      TELEGRAM_BOT_TOKEN: TOKEN,
    });
    expect(validateEnv({ SLACK_BOT_TOKEN: 'xoxb-1', DISCORD_BOT_TOKEN: 'd' })).toEqual([
      'slack',
      'discord',
    ]);
    expect(readScopeEnv('web', {})).toEqual({});
  });

  it('a partly configured adapter fails fast naming the missing variable', () => {
    const message = configError(() => readScopeEnv('slack', { SLACK_SIGNING_SECRET: 's3cret!' }));
    expect(message).toContain('SLACK_BOT_TOKEN');
    expect(message).not.toContain('s3cret!');
    expect(configError(() => validateEnv({ WEB_PORT: 'eighty' }))).toContain('WEB_PORT');
    expect(configError(() => intFromEnv('BOTS_CONCURRENCY', { BOTS_CONCURRENCY: '0' }))).toContain(
      'BOTS_CONCURRENCY',
    );
    expect(intFromEnv('BOTS_CONCURRENCY', {})).toBe(2);
  });

  it('never prints secrets', () => {
    const env = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      WEB_PORT: '9000',
      DATABASE_URL: 'postgres://u:pw1234@h/db',
    };
    const lines = describeEnv(env).join('\n');
    expect(lines).toContain('WEB_PORT=9000');
    expect(lines).toContain('TELEGRAM_BOT_TOKEN=(set, hidden)');
    expect(lines).not.toContain(TOKEN);
    const leaked = `GET https://api.telegram.org/file/bot${TOKEN}/voice/f.oga failed; db postgres://u:pw1234@h/db; slack ${SLACK}`;
    const clean = redactSecrets(leaked, env);
    expect(clean).not.toContain(TOKEN);
    expect(clean).not.toContain('pw1234');
    expect(clean).not.toContain(SLACK);
    expect(redactSecrets(leaked, {})).not.toContain(TOKEN.split(':')[1]);
  });

  it('lists every variable the engine, the CLI and the adapters read', () => {
    // The operating system's and Node's own variables are not the project's to list.
    const known = new Set([
      ...ENV_VARS.map((v) => v.name),
      'PATH',
      'NODE_OPTIONS',
      'XDG_CACHE_HOME',
      'LOCALAPPDATA',
    ]);
    const files = ['core', 'cli', 'bots'].flatMap((dir) =>
      readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.startsWith('shared'))
        .map((f) => path.join(REPO_ROOT, dir, f)),
    );
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const [, name] of source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) {
        expect(known, `${name} (${file}) missing from bots/shared/config.ts`).toContain(name);
      }
    }
  });
});
