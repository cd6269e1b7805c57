#!/usr/bin/env node
/**
 * `npm start`: opens the engine, fills an empty catalogue with the demo tracks, creates one chat
 * service, and starts every adapter whose credentials are set (the web chat on localhost when
 * there are none, or when none of them could be started), each on its own (supervise.ts).
 * Conversation state (votes, handled Slack events) lives in the catalogue's database unless
 * `BOTS_STATE=memory`; rate-limit buckets in Redis when `REDIS_URL` is set. SIGINT/SIGTERM stop
 * the adapters, let queued clips finish and close the engine.
 *
 *   node dist/bots/start.js [--catalog <dir|postgres://…>] [--env-example] [--help]
 */
import { installResolveShortcut } from '../core/util/resolve-hook.js';
import { planAdapters, planWeb } from './adapters.js';
import { ensureCatalogue } from './demo-catalog.js';
import { createChatService } from './shared/chat-service.js';
import { memoryRateLimit } from './shared/clip-rate-limit.js';
import { describeEnv, ENV_VARS, envExample, intFromEnv, redactSecrets } from './shared/config.js';
import { catalogState, memoryState } from './shared/conversation-state.js';
import { GLOBAL_MAX_BYTES } from './shared/limits.js';
import { SynestheteError, toSynestheteError } from './shared/recommender-port.js';
import { redisRateLimit } from './shared/redis-rate-limit.js';
import { type Supervisor, superviseAdapters } from './supervise.js';

/** How long shutdown waits for clips in progress, ms. */
const DRAIN_TIMEOUT_MS = 30_000;

/** Catalogues up to this size get their map laid out at start-up; larger ones on first use. */
const MAP_PREPARE_MAX_TRACKS = 20_000;

const log = (line: string) => process.stderr.write(`${redactSecrets(line)}\n`);

function usage(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  return [
    'Usage: npm start -- [options]   (or node dist/bots/start.js [options])',
    '',
    'Runs the Synesthete chat bots: every adapter whose token is set in the environment,',
    'or the web chat on http://127.0.0.1:8080/ when none is.',
    '',
    'Options:',
    '  --catalog <location>  catalogue directory (PGlite) or postgres:// URL',
    '                        (default DATABASE_URL, then data/catalog)',
    '  --env-example         print the .env.example text and exit',
    '  -h, --help            this text',
    '',
    'Environment:',
    ...ENV_VARS.map(
      (v) =>
        `  ${v.name.padEnd(width)}  [${v.scope}${v.secret ? ', secret' : ''}] ${v.description}` +
        (v.defaultValue !== undefined ? ` (default ${v.defaultValue})` : ''),
    ),
    '',
  ].join('\n');
}

function parseArgs(argv: readonly string[]): { catalog?: string; help?: true; envExample?: true } {
  const out: { catalog?: string; help?: true; envExample?: true } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') out.help = true;
    else if (arg === '--env-example') out.envExample = true;
    else if (arg === '--catalog' && argv[i + 1]) out.catalog = argv[++i] as string;
    else if (arg?.startsWith('--catalog=')) out.catalog = arg.slice('--catalog='.length);
    else
      throw new SynestheteError(
        'E_CONFIG',
        `unknown argument "${arg}" (run with --help for usage)`,
      );
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (args.envExample) {
    process.stdout.write(envExample());
    return 0;
  }
  const env = process.env;
  // Everything the environment can get wrong fails here, before the engine's slow start.
  const planned = await planAdapters(env);
  const stateKind = env.BOTS_STATE?.trim() || 'catalog';
  if (stateKind !== 'catalog' && stateKind !== 'memory') {
    throw new SynestheteError(
      'E_CONFIG',
      `BOTS_STATE must be "catalog" or "memory", not "${stateKind}"`,
    );
  }
  const rateLimit = { clips: intFromEnv('BOTS_CLIPS_PER_MINUTE', env) ?? 6, perS: 60 };
  const redisUrl = env.REDIS_URL?.trim();
  const rateLimiter = redisUrl
    ? redisRateLimit(redisUrl, { capacity: rateLimit.clips, perS: rateLimit.perS, log })
    : memoryRateLimit({ capacity: rateLimit.clips, perS: rateLimit.perS });
  const serviceOptions = {
    concurrency: intFromEnv('BOTS_CONCURRENCY', env),
    maxPending: intFromEnv('BOTS_MAX_PENDING', env),
    rateLimit,
    rateLimiter,
    // A self-hosted Bot API server lets the Telegram bot download more than the cloud's 20 MB.
    ...(env.TELEGRAM_API_ROOT?.trim()
      ? { limits: { telegram: { maxBytes: GLOBAL_MAX_BYTES } } }
      : {}),
    log,
  };
  for (const line of describeEnv(env)) log(`env ${line}`);

  // The engine (tfjs, PGlite, drizzle-orm) is imported only now, after the resolution shortcut
  // (core/util/resolve-hook.ts) is in place and the environment has been checked.
  installResolveShortcut();
  const { openEngine } = await import('../core/engine.js');
  const engine = await openEngine({
    ...(args.catalog ? { catalog: args.catalog } : {}),
    log,
    prestart: true,
  });
  const state = stateKind === 'memory' ? memoryState() : catalogState(engine.catalog.conversations);
  const service = createChatService(engine, { ...serviceOptions, state });
  let supervisor: Supervisor | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      const running = supervisor?.running ?? [];
      log(`${reason}: stopping ${running.map((a) => a.platform).join(', ') || 'nothing'}…`);
      await supervisor?.stop();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        service.drain(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      await rateLimiter.close();
      await engine.close();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${toSynestheteError(error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // One adapter's stray rejection must not take the other adapters down: log it and go on.
  process.on('unhandledRejection', (reason) => {
    log(
      `unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });

  try {
    log(`catalogue ${engine.catalog.location}; index files in ${engine.indexDir}`);
    log(`conversation state: ${state.description}; rate limits: ${rateLimiter.description}`);
    const tracks = await ensureCatalogue(engine, log);
    log(`${tracks} tracks searchable; model ${engine.model.metadata.version}`);
    await engine.indexes();
    // The catalogue map's layout (UMAP; minutes past ~10,000 tracks, then cached per catalogue
    // version beside the index files), so that the first "🗺 Show on the map" answers at once.
    if (tracks <= MAP_PREPARE_MAX_TRACKS) {
      const started = performance.now();
      await service.prepareMap?.();
      log(`catalogue map ready (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    supervisor = await superviseAdapters(planned, service, { log, fallback: () => planWeb(env) });
    log(
      `running ${supervisor.running.map((a) => a.platform).join(', ') || 'nothing yet (retrying)'} — Ctrl+C to stop`,
    );
    return -1;
  } catch (error) {
    await stop('start-up failed').catch(() => undefined);
    throw error;
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const e = toSynestheteError(error);
    log(`error: ${e.message}`);
    if (process.env.SYNESTHETE_DEBUG && e.cause instanceof Error) log(e.cause.stack ?? '');
    process.exitCode = 1;
  },
);
