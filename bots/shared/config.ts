/**
 * The one list of environment variables the bots read (after vercel/chat's adapter config: explicit
 * option, then environment variable, then a fail-fast error naming it). The list validates the
 * environment at start, tells `npm start` which adapters are configured, and generates
 * `.env.example` (`node dist/bots/start.js --env-example`). Secret values are never printed: use
 * {@link describeEnv} and {@link redactSecrets} for anything that reaches a log.
 */
import { SynestheteError } from './recommender-port.js';
import type { Platform } from './types.js';

/** Who reads a variable: the engine and the chat service ('core'), or one adapter. */
export type EnvScope = 'core' | Platform;

/** One environment variable. */
export interface EnvVar {
  readonly name: string;
  readonly scope: EnvScope;
  /** Tokens, signing secrets, URLs with passwords: never logged, shown as "set". */
  readonly secret: boolean;
  /**
   * Needed for its adapter to run (its token): without it the adapter is off, and any other of the
   * adapter's variables being set is a partial configuration (E_CONFIG). Variables needed only in
   * one mode (a webhook secret) are checked by the adapter's own `…OptionsFromEnv`.
   */
  readonly required: boolean;
  /** One line for .env.example and --help. */
  readonly description: string;
  /** Default used when unset, as text (shown in .env.example). */
  readonly defaultValue?: string;
  /** A sample value for .env.example, when there is no default (never a real secret). */
  readonly example?: string;
  /** Value checks: a TCP port (0–65535, 0 = any free port), or a positive integer. */
  readonly kind?: 'port' | 'positive-int';
}

/** Every variable, grouped by scope in the order .env.example lists them. */
export const ENV_VARS: readonly EnvVar[] = [
  {
    name: 'DATABASE_URL',
    scope: 'core',
    secret: true,
    required: false,
    description: 'Catalogue in PostgreSQL; unset: the embedded PGlite catalogue in data/catalog',
    example: 'postgres://synesthete:change-me@127.0.0.1:5432/synesthete',
  },
  {
    name: 'SYNESTHETE_MODEL_DIR',
    scope: 'core',
    secret: false,
    required: false,
    description: 'Model directory (model.json + metadata.json)',
    defaultValue: 'models/synesthete-cnn',
  },
  {
    name: 'FFMPEG_PATH',
    scope: 'core',
    secret: false,
    required: false,
    description: 'ffmpeg binary (default: ffmpeg-static if installed, else ffmpeg on PATH)',
    example: '/usr/bin/ffmpeg',
  },
  {
    name: 'SYNESTHETE_CACHE_DIR',
    scope: 'core',
    secret: false,
    required: false,
    description:
      "Folder of what is made once per install: the empty catalogue's template new PGlite catalogues are copied from (default data/cache)",
    example: '/var/cache/synesthete',
  },
  {
    name: 'SYNESTHETE_INDEX_DIR',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Folder of the index files (default: beside a PGlite catalogue, else ~/.cache/synesthete/index/…)',
    example: '/var/cache/synesthete',
  },
  {
    name: 'SYNESTHETE_CATALOG_POLL_MS',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'How often a running bot looks for tracks other processes added or removed, ms (0: never; default 2000 on PostgreSQL, 0 on PGlite)',
    example: '2000',
  },
  {
    name: 'SYNESTHETE_TF_BACKEND',
    scope: 'core',
    secret: false,
    required: false,
    description: 'tfjs backend: tensorflow | wasm | cpu (default: the fastest that loads)',
    example: 'wasm',
  },
  {
    name: 'SYNESTHETE_DEBUG',
    scope: 'core',
    secret: false,
    required: false,
    description: 'Print the underlying cause of errors (stack traces) as well',
    example: '1',
  },
  {
    name: 'REDIS_URL',
    scope: 'core',
    secret: true,
    required: false,
    description:
      "Redis holding the ingest queue (`synesthete queue add|work|status`; unset: redis://127.0.0.1:6379) and, when set, the bots' rate-limit buckets shared by every instance",
    example: 'redis://127.0.0.1:6379',
  },
  {
    name: 'SYNESTHETE_MALLOC_TUNING',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Set to 0 to run `ingest` and `queue work` without restarting them with glibc allocator settings and a small V8 young generation for lower peak memory (MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=131072, node --max-semi-space-size=2; default: restarted so on Linux with glibc)',
    example: '0',
  },
  {
    name: 'SYNESTHETE_WASM_TIERING',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Set to default to let V8 optimise WebAssembly in a short `recommend` (up to four clips) and in `similar` too (default: those keep it on baseline code, which answers one clip sooner)',
    example: 'default',
  },
  {
    name: 'SYNESTHETE_DECODE_THREADS',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Set to 0 to decode in the calling thread instead of a decode thread (ingest analysis threads are started so; default: decode threads)',
    example: '0',
  },
  {
    name: 'SYNESTHETE_FINGERPRINT_THREAD',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Set to 0 to fingerprint clips on the main thread instead of a worker thread (default: a worker thread)',
    example: '0',
  },
  {
    name: 'SYNESTHETE_LIBAV',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Set to 0 to decode with the ffmpeg program instead of the optional node-av (default: node-av when it loads)',
    example: '0',
  },
  {
    name: 'TEST_DATABASE_URL',
    scope: 'core',
    secret: true,
    required: false,
    description:
      'Tests only: also run the catalogue suite against this PostgreSQL (a scratch database is created and dropped)',
    example: 'postgresql://postgres@127.0.0.1:5432/test',
  },
  {
    name: 'BOTS_CONCURRENCY',
    scope: 'core',
    secret: false,
    required: false,
    description: 'Clips analysed at once, over all adapters',
    defaultValue: '2',
    kind: 'positive-int',
  },
  {
    name: 'BOTS_MAX_PENDING',
    scope: 'core',
    secret: false,
    required: false,
    description: 'Clips that may wait for a slot; more are answered "busy"',
    defaultValue: '16',
    kind: 'positive-int',
  },
  {
    name: 'BOTS_STATE',
    scope: 'core',
    secret: false,
    required: false,
    description:
      'Where votes and handled Slack events live: catalog (the catalogue database, shared by every instance, kept across restarts) or memory (this process only)',
    defaultValue: 'catalog',
  },
  {
    name: 'BOTS_CLIPS_PER_MINUTE',
    scope: 'core',
    secret: false,
    required: false,
    description: 'Clips one user may send per minute',
    defaultValue: '6',
    kind: 'positive-int',
  },
  {
    name: 'TELEGRAM_BOT_TOKEN',
    scope: 'telegram',
    secret: true,
    required: true,
    description: 'Telegram bot token from @BotFather (starts the Telegram bot)',
  },
  {
    name: 'TELEGRAM_API_ROOT',
    scope: 'telegram',
    secret: false,
    required: false,
    description: 'Self-hosted Bot API server (lifts the 20 MB download limit)',
    defaultValue: 'https://api.telegram.org',
  },
  {
    name: 'TELEGRAM_WEBHOOK_URL',
    scope: 'telegram',
    secret: false,
    required: false,
    description: 'Public HTTPS URL for webhook mode (long polling when unset)',
  },
  {
    name: 'TELEGRAM_WEBHOOK_SECRET',
    scope: 'telegram',
    secret: true,
    required: false,
    description: 'Webhook secret token, needed with TELEGRAM_WEBHOOK_URL (A-Z a-z 0-9 _ -)',
  },
  {
    name: 'TELEGRAM_WEBHOOK_PORT',
    scope: 'telegram',
    secret: false,
    required: false,
    description: 'Local port of the webhook server',
    defaultValue: '8080',
    kind: 'port',
  },
  {
    name: 'SLACK_BOT_TOKEN',
    scope: 'slack',
    secret: true,
    required: true,
    description: 'Slack bot token (xoxb-…) of the installed app (starts the Slack bot)',
  },
  {
    name: 'SLACK_SIGNING_SECRET',
    scope: 'slack',
    secret: true,
    required: false,
    description: "Slack app's signing secret, needed in HTTP mode (verifies event requests)",
  },
  {
    name: 'SLACK_APP_TOKEN',
    scope: 'slack',
    secret: true,
    required: false,
    description: 'Slack app-level token (xapp-…): Socket Mode instead of a public HTTP endpoint',
  },
  {
    name: 'SLACK_SOCKET_MODE',
    scope: 'slack',
    secret: false,
    required: false,
    description: '1 = Socket Mode, 0 = HTTP (default: Socket Mode when SLACK_APP_TOKEN is set)',
  },
  {
    name: 'SLACK_PORT',
    scope: 'slack',
    secret: false,
    required: false,
    description: 'Port of the Slack events endpoint (/slack/events) in HTTP mode',
    defaultValue: '3000',
    kind: 'port',
  },
  {
    name: 'SLACK_API_URL',
    scope: 'slack',
    secret: false,
    required: false,
    description: 'Slack Web API base URL (proxies, local fakes)',
  },
  {
    name: 'DISCORD_BOT_TOKEN',
    scope: 'discord',
    secret: true,
    required: true,
    description: 'Discord bot token (starts the Discord bot)',
  },
  {
    name: 'DISCORD_APPLICATION_ID',
    scope: 'discord',
    secret: false,
    required: false,
    description: "Application to register slash commands for (default: the token's own)",
  },
  {
    name: 'DISCORD_GUILD_ID',
    scope: 'discord',
    secret: false,
    required: false,
    description: 'Register slash commands in this server only (instant) instead of globally',
  },
  {
    name: 'DISCORD_API_URL',
    scope: 'discord',
    secret: false,
    required: false,
    description: 'Discord REST API base URL (proxies, local fakes)',
  },
  {
    name: 'WEB_PORT',
    scope: 'web',
    secret: false,
    required: false,
    description:
      'Port of the web chat (it runs when no platform token is set, or when this is set)',
    defaultValue: '8080',
    kind: 'port',
  },
  {
    name: 'WEB_HOST',
    scope: 'web',
    secret: false,
    required: false,
    description: 'Address the web chat listens on (0.0.0.0 to expose it)',
    defaultValue: '127.0.0.1',
  },
];

/** The variable named `name` (throws for a name not in {@link ENV_VARS}: a bug). */
function spec(name: string): EnvVar {
  const found = ENV_VARS.find((v) => v.name === name);
  if (!found) throw new SynestheteError('E_INTERNAL', `internal error: unknown variable ${name}`);
  return found;
}

const isSet = (env: NodeJS.ProcessEnv, name: string) => (env[name]?.trim() ?? '') !== '';

/**
 * Checks one variable's value against its kind.
 *
 * @throws SynestheteError `E_CONFIG` naming the variable when the value is not a valid port /
 *   positive integer
 */
function check(v: EnvVar, value: string): void {
  if (v.kind === undefined) return;
  const n = Number(value);
  const [min, max] = v.kind === 'port' ? [0, 65_535] : [1, Number.MAX_SAFE_INTEGER];
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new SynestheteError(
      'E_CONFIG',
      `${v.name} must be ${v.kind === 'port' ? 'a port number (0–65535)' : 'a positive integer'}, got "${value}"`,
    );
  }
}

/**
 * An adapter's variables, when it is configured.
 *
 * @param scope - the adapter (or 'core')
 * @param env - the environment (default `process.env`)
 * @returns name → trimmed value of every set variable of that scope; undefined when the scope has
 *   required variables and none of its variables is set (the adapter is off)
 * @throws SynestheteError `E_CONFIG` naming the missing variable(s) when some of the adapter's
 *   variables are set but a required one is not, or naming a variable whose value is invalid
 */
export function readScopeEnv(
  scope: EnvScope,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Record<string, string>> | undefined {
  const vars = ENV_VARS.filter((v) => v.scope === scope);
  const set = vars.filter((v) => isSet(env, v.name));
  const missing = vars.filter((v) => v.required && !isSet(env, v.name));
  if (missing.length > 0) {
    if (set.length === 0) return undefined;
    throw new SynestheteError(
      'E_CONFIG',
      `${scope} is partly configured: ${set.map((v) => v.name).join(', ')} set but ${missing.map((v) => v.name).join(', ')} missing`,
    );
  }
  const out: Record<string, string> = {};
  for (const v of set) {
    const value = env[v.name]?.trim() ?? '';
    check(v, value);
    out[v.name] = value;
  }
  return out;
}

/**
 * Reads an integer variable, with its default.
 *
 * @param name - a variable of {@link ENV_VARS} with a `kind`
 * @param env - the environment (default `process.env`)
 * @returns the value, or the variable's default (undefined when it has none and is unset)
 * @throws SynestheteError `E_CONFIG` naming the variable when the value is invalid
 */
export function intFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = spec(name);
  const value = env[name]?.trim() || v.defaultValue;
  if (value === undefined) return undefined;
  check(v, value);
  return Number(value);
}

/**
 * Checks every set variable's value, and that no adapter is partly configured.
 *
 * @returns the platforms whose required variables are all set (web is not listed: it needs none)
 * @throws SynestheteError `E_CONFIG` naming the first variable at fault
 */
export function validateEnv(env: NodeJS.ProcessEnv = process.env): Platform[] {
  readScopeEnv('core', env);
  const platforms: Platform[] = ['telegram', 'slack', 'discord'];
  const configured = platforms.filter((p) => readScopeEnv(p, env) !== undefined);
  readScopeEnv('web', env);
  return configured;
}

/**
 * The set variables as printable lines, secrets hidden.
 *
 * @returns e.g. ["TELEGRAM_BOT_TOKEN=(set, hidden)", "WEB_PORT=8080"]
 */
export function describeEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return ENV_VARS.filter((v) => isSet(env, v.name)).map(
    (v) => `${v.name}=${v.secret ? '(set, hidden)' : env[v.name]?.trim()}`,
  );
}

/** Token shapes redacted even when they are not in the environment. */
const TOKEN_PATTERNS = [
  /\bbot\d{5,}:[\w-]{20,}/g, // Telegram file/API URLs carry "bot<token>"
  /\b\d{5,}:[\w-]{30,}\b/g, // a Telegram token on its own
  /\bxox[abposr]-[\w-]+/g, // Slack tokens
  /\bxapp-[\w-]+/g,
  /\b[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,40}\b/g, // Discord bot tokens
  /(\/\/[^:/\s]+:)[^@/\s]+@/g, // passwords in URLs
];

/**
 * Removes secrets from text meant for a log: the values of every secret variable that is set, and
 * anything shaped like a Telegram, Slack or Discord token or a URL password.
 *
 * @param text - a log line or error message
 * @param env - the environment whose secret values to hide (default `process.env`)
 * @returns the text with secrets replaced by "***"
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const v of ENV_VARS) {
    const value = v.secret ? env[v.name]?.trim() : undefined;
    if (value && value.length >= 6) out = out.split(value).join('***');
  }
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}***@` : '***',
    );
  }
  return out;
}

/**
 * The text of `.env.example`: every variable with its description, adapter and default, values
 * left empty (defaults commented out).
 *
 * @returns file contents ending in a newline
 */
export function envExample(): string {
  const titles: Record<EnvScope, string> = {
    core: 'Engine, catalogue and chat service (all optional)',
    telegram: 'Telegram — set the token to start the Telegram bot',
    slack: 'Slack — set the bot token and the signing secret (or app token) to start the Slack bot',
    discord: 'Discord — set the token to start the Discord bot',
    web: 'Web chat — runs on localhost when no platform token is set',
  };
  const lines = [
    '# Synesthete configuration. Copy to .env (never commit it) or set these in the environment.',
    '# Nothing is required: with no variables set, the CLI and `npm start` use the embedded PGlite',
    '# catalogue in data/catalog, the shipped model, and the web chat on http://127.0.0.1:8080/.',
    '# `npm start` reads the environment: load the file with `set -a; . ./.env; set +a`',
    '# (docker compose reads it by itself). Generated from bots/shared/config.ts by',
    '# `npm run env-example`; commented lines show defaults and examples.',
  ];
  for (const scope of Object.keys(titles) as EnvScope[]) {
    lines.push('', `# ${titles[scope]}`);
    for (const v of ENV_VARS.filter((x) => x.scope === scope)) {
      const tags = [v.secret ? 'secret' : '', v.required ? 'required' : ''].filter(Boolean);
      lines.push(`# ${v.description}${tags.length ? ` [${tags.join(', ')}]` : ''}`);
      const sample = v.defaultValue ?? v.example;
      lines.push(sample !== undefined ? `# ${v.name}=${sample}` : `${v.name}=`);
    }
  }
  return `${lines.join('\n')}\n`;
}
