/**
 * Which adapters `npm start` runs, decided from the environment before anything slow starts: each
 * adapter module is loaded only when its variables are set (discord.js and Bolt are not loaded
 * for a Telegram-only bot), and its own `…OptionsFromEnv` validates the details.
 */
import { readScopeEnv } from './shared/config.js';
import type { ChatService, Platform, RunningAdapter } from './shared/types.js';

/** An adapter whose configuration was read and checked, ready to start. */
export interface PlannedAdapter {
  readonly platform: Platform;
  /**
   * Starts it on the shared service.
   * @throws whatever the adapter's start throws (E_CONFIG for a refused token, a bind error, …)
   */
  start(service: ChatService): Promise<RunningAdapter>;
}

type Planner = (env: NodeJS.ProcessEnv) => Promise<PlannedAdapter | undefined>;

const PLANNERS: Readonly<Record<Exclude<Platform, 'web'>, Planner>> = {
  async telegram(env) {
    const { startTelegramBot, telegramOptionsFromEnv } = await import('./telegram/index.js');
    const options = telegramOptionsFromEnv(env);
    return options && { platform: 'telegram', start: (s) => startTelegramBot(s, options) };
  },
  async slack(env) {
    const { startSlackBot, slackOptionsFromEnv } = await import('./slack/index.js');
    const options = slackOptionsFromEnv(env);
    return options && { platform: 'slack', start: (s) => startSlackBot(s, options) };
  },
  async discord(env) {
    const { startDiscordBot, discordOptionsFromEnv } = await import('./discord/index.js');
    const options = discordOptionsFromEnv(env);
    return options && { platform: 'discord', start: (s) => startDiscordBot(s, options) };
  },
};

/**
 * The web chat, configured from `WEB_PORT` / `WEB_HOST` (default 127.0.0.1:8080); `npm start` also
 * starts it when no chat platform could be started.
 *
 * @param env - the environment
 * @throws SynestheteError `E_CONFIG` for an invalid WEB_PORT or WEB_HOST
 */
export async function planWeb(env: NodeJS.ProcessEnv = process.env): Promise<PlannedAdapter> {
  const { startWebChat, webOptionsFromEnv } = await import('./web/index.js');
  const options = webOptionsFromEnv(env);
  return { platform: 'web', start: (s) => startWebChat(s, options) };
}

/**
 * Reads and checks every adapter's configuration.
 *
 * Telegram, Slack and Discord run when their token is set; the web chat runs when none of them
 * does (on 127.0.0.1:8080 by default), or whenever `WEB_PORT` or `WEB_HOST` is set.
 *
 * @param env - the environment (default `process.env`)
 * @returns the adapters to start, in the order telegram, slack, discord, web (never empty)
 * @throws SynestheteError `E_CONFIG` naming the variable of a partly configured or invalid adapter
 */
export async function planAdapters(
  env: NodeJS.ProcessEnv = process.env,
): Promise<PlannedAdapter[]> {
  readScopeEnv('core', env);
  const planned: PlannedAdapter[] = [];
  for (const [platform, plan] of Object.entries(PLANNERS) as [Platform, Planner][]) {
    if (readScopeEnv(platform, env) === undefined) continue;
    const adapter = await plan(env);
    if (adapter) planned.push(adapter);
  }
  const web = readScopeEnv('web', env) ?? {};
  if (planned.length === 0 || Object.keys(web).length > 0) planned.push(await planWeb(env));
  return planned;
}
