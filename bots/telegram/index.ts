/**
 * The Telegram adapter (grammY): wiring only. Long polling by default; webhook mode (a
 * node:http server checking Telegram's secret token) when a webhook URL is configured. Parsing,
 * rendering, downloads and the handlers live in their own files.
 *
 * @example
 * const options = telegramOptionsFromEnv(process.env);
 * if (options) adapters.push(await startTelegramBot(service, options));
 */
import { createServer, type Server } from 'node:http';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, BotError, GrammyError, webhookCallback } from 'grammy';
import { SynestheteError } from '../../core/util/errors.js';
import type { ChatService, RunningAdapter } from '../shared/types.js';
import { telegramHandlers } from './handlers.js';
import { describeError, redactingLog, stderrLog } from './log.js';
import {
  DEFAULT_TELEGRAM_API_ROOT,
  downloadLimitBytes,
  type TelegramBotOptions,
  type TelegramWebhookOptions,
} from './options.js';
import { createTaskSet } from './tasks.js';

export {
  DEFAULT_TELEGRAM_API_ROOT,
  type TelegramBotOptions,
  type TelegramHandledEvent,
  type TelegramWebhookOptions,
  telegramOptionsFromEnv,
} from './options.js';

/** Update types the bot asks Telegram for. */
const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/**
 * How Bot API calls that fail with 429 or 5xx are retried (grammY's auto-retry plugin): a 429 is
 * retried after the `retry_after` seconds Telegram asks for, a 5xx or a network error after 3 s
 * doubling; at most 3 times, and never after a wait over 60 s (an answer that late is useless).
 */
export const TELEGRAM_RETRY = {
  maxRetryAttempts: 3,
  maxDelaySeconds: 60,
} as const;

/** How long the start-up call to the Bot API (getMe) may take, ms. */
const STARTUP_TIMEOUT_MS = 10_000;

/** Commands shown in Telegram's "/" menu. */
const COMMANDS = [
  { command: 'help', description: 'What to send and what the buttons do' },
  {
    command: 'similar',
    description: 'Reply to a clip, or give a track id; filters: genre:jazz max-duration:4:00',
  },
  { command: 'map', description: 'The catalogue map with your last clip and its five' },
  { command: 'mix', description: 'Tracks that suit your last few clips together' },
  { command: 'forget', description: 'Forget your 👍/👎 in this chat' },
];

/** A running Telegram adapter. */
export interface TelegramAdapter extends RunningAdapter {
  readonly platform: 'telegram';
  /** The bot's @username, as getMe answered. */
  readonly username: string;
  /** Webhook mode: the local port the server listens on (useful with port 0). */
  readonly webhookPort?: number;
}

/**
 * Starts the Telegram bot: checks the token (getMe), registers the command menu, then polls
 * for updates or sets the webhook and starts its server. Resolves once updates are being
 * received.
 *
 * @param service - the chat service every adapter shares
 * @param options - token, API root, webhook (see {@link telegramOptionsFromEnv})
 * @returns the running adapter; `stop()` stops polling (or closes the server) and waits for
 *   replies still being sent
 * @throws SynestheteError `E_CONFIG` when Telegram refuses the token or the webhook port is
 *   taken, `E_INTERNAL` when the Bot API cannot be reached. Messages never contain the token.
 */
export async function startTelegramBot(
  service: ChatService,
  options: TelegramBotOptions,
): Promise<TelegramAdapter> {
  const apiRoot = (options.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT).replace(/\/+$/, '');
  const log = redactingLog(options.log ?? stderrLog, options.token);
  const onHandled = options.onHandled ?? (() => {});
  const bot = new Bot(options.token, { client: { apiRoot } });
  bot.api.config.use(autoRetry(TELEGRAM_RETRY));
  const tasks = createTaskSet();
  bot.use(
    telegramHandlers({
      service,
      files: { token: options.token, apiRoot, maxBytes: downloadLimitBytes(options) },
      log,
      tasks,
      typingIntervalMs: options.typingIntervalMs ?? 4000,
      onHandled,
    }),
  );
  // The one error handler: long polling calls it; the webhook server hands it what grammY throws.
  const onError = (error: BotError): void => {
    log(`telegram: update ${error.ctx.update.update_id} failed: ${describeError(error.error)}`);
    onHandled({ updateId: error.ctx.update.update_id, kind: 'error', ms: 0 });
  };
  bot.catch(onError);

  try {
    // One getMe, bounded: grammY's own init() retries network errors forever, which hung start-up
    // with nothing logged when the API could not be reached. npm start retries a failed adapter.
    // grammY types its signal as the abort-controller package's; Node's is the same at run time.
    const signal = AbortSignal.timeout(STARTUP_TIMEOUT_MS) as Parameters<typeof bot.api.getMe>[0];
    bot.botInfo = await bot.api.getMe(signal);
  } catch (error) {
    throw startupError(error, apiRoot);
  }
  const username = bot.botInfo.username;
  await bot.api
    .setMyCommands(COMMANDS)
    .catch((error) => log(`telegram: could not set the command menu: ${describeError(error)}`));

  if (options.webhook) {
    const webhook = options.webhook;
    const server = await listenForWebhook(bot, webhook, onError, log);
    const port = (server.address() as { port: number }).port;
    try {
      await bot.api.setWebhook(webhook.url, {
        secret_token: webhook.secretToken,
        allowed_updates: [...ALLOWED_UPDATES],
      });
    } catch (error) {
      await closeServer(server);
      throw startupError(error, apiRoot);
    }
    log(`telegram: @${username} receiving updates by webhook on port ${port}`);
    return {
      platform: 'telegram',
      username,
      webhookPort: port,
      description: `Telegram @${username} (webhook ${new URL(webhook.url).origin}, port ${port})`,
      async stop() {
        await closeServer(server);
        await tasks.settled();
      },
    };
  }

  let polling: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    polling = bot
      .start({
        allowed_updates: [...ALLOWED_UPDATES],
        ...(options.pollingTimeoutS !== undefined ? { timeout: options.pollingTimeoutS } : {}),
        onStart: () => resolve(),
      })
      .catch((error: unknown) => {
        log(`telegram: long polling stopped: ${describeError(error)}`);
        reject(startupError(error, apiRoot));
      });
  });
  log(`telegram: @${username} receiving updates by long polling from ${apiRoot}`);
  return {
    platform: 'telegram',
    username,
    description: `Telegram @${username} (long polling ${apiRoot})`,
    async stop() {
      if (bot.isRunning()) await bot.stop().catch(() => {});
      await polling.catch(() => {});
      await tasks.settled();
    },
  };
}

/**
 * Starts the webhook server: POSTs to the URL's path go to grammY (which answers 401 to a wrong
 * or missing secret token), anything else is 404.
 */
async function listenForWebhook(
  bot: Bot,
  webhook: TelegramWebhookOptions,
  onError: (error: BotError) => void,
  log: (line: string) => void,
): Promise<Server> {
  const pathname = new URL(webhook.url).pathname;
  // Long work is detached by the handlers, so grammY answers Telegram within milliseconds.
  const handle = webhookCallback(bot, 'http', {
    secretToken: webhook.secretToken,
    onTimeout: 'return',
    timeoutMilliseconds: 9000,
  });
  const server = createServer((req, res) => {
    const requestPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || requestPath !== pathname) {
      res.writeHead(404).end();
      return;
    }
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BotError) {
        // Our middleware failed and was reported; a 500 would only make Telegram redeliver it.
        onError(error);
        if (!res.headersSent) res.writeHead(200);
      } else {
        log(`telegram: webhook request failed: ${describeError(error)}`);
        if (!res.headersSent) res.writeHead(500);
      }
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new SynestheteError(
          'E_CONFIG',
          `the Telegram webhook server cannot listen on port ${webhook.port} (TELEGRAM_WEBHOOK_PORT): ${describeError(error)}`,
          { cause: error },
        ),
      ),
    );
    server.listen(webhook.port, webhook.host, () => resolve());
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A start-up failure as a coded error; the message names the variable to fix, not the token. */
function startupError(error: unknown, apiRoot: string): SynestheteError {
  if (error instanceof SynestheteError) return error;
  if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
    return new SynestheteError(
      'E_CONFIG',
      `Telegram refused TELEGRAM_BOT_TOKEN (${error.method}: ${error.error_code} ${error.description}); get a token from @BotFather`,
    );
  }
  if (error instanceof GrammyError) {
    return new SynestheteError(
      'E_CONFIG',
      `Telegram refused ${error.method}: ${error.error_code} ${error.description}`,
    );
  }
  return new SynestheteError(
    'E_INTERNAL',
    `cannot reach the Telegram Bot API at ${apiRoot} (TELEGRAM_API_ROOT): ${error instanceof Error ? error.message : String(error)}`,
  );
}
