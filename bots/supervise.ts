/**
 * Starts every planned adapter on its own (after bolt-js's one-receiver-per-app, here one
 * supervisor per process): a platform that cannot be reached is logged with the reason and tried
 * again later (5 s, 15 s, 30 s, 1 min, then every 5 min) while the others serve; a refused token
 * (`E_CONFIG`) is logged and not retried. When no chat platform is up a few seconds after start,
 * the web chat is started too, so the bot is usable on this machine. Start-up fails only when
 * nothing can run.
 */
import type { PlannedAdapter } from './adapters.js';
import { toSynestheteError } from './shared/recommender-port.js';
import type { ChatService, RunningAdapter } from './shared/types.js';

/** Options of {@link superviseAdapters}. */
export interface SuperviseOptions {
  /** One line per event (already free of secrets: adapters redact their own messages). */
  readonly log: (line: string) => void;
  /** The web chat to start when no platform is up (absent: none). */
  readonly fallback?: () => Promise<PlannedAdapter>;
  /** How long to wait for the first attempts before judging what is up, ms (default 3,000). */
  readonly firstWaitMs?: number;
  /** Delays between attempts of a failing adapter, ms; the last repeats (default 5 s … 5 min). */
  readonly retryDelaysMs?: readonly number[];
}

/** The adapters of a process. */
export interface Supervisor {
  /** The adapters running now. */
  readonly running: readonly RunningAdapter[];
  /** Stops retrying and stops every running adapter (and any that comes up meanwhile). */
  stop(): Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [5_000, 15_000, 30_000, 60_000, 300_000];

/**
 * Starts the adapters, each independently.
 *
 * @example
 * ```ts
 * const supervisor = await superviseAdapters(await planAdapters(), service, { log, fallback: planWeb });
 * // … on SIGTERM:
 * await supervisor.stop();
 * ```
 * @param planned - adapters from `planAdapters`
 * @param service - the chat service they share
 * @param options - log, web fallback, timings
 * @returns once the first attempts settled or `firstWaitMs` passed, with at least one adapter
 *   running or still being tried
 * @throws SynestheteError (the first adapter's reason) when every adapter failed for good
 */
export async function superviseAdapters(
  planned: readonly PlannedAdapter[],
  service: ChatService,
  options: SuperviseOptions,
): Promise<Supervisor> {
  const { log } = options;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const running: RunningAdapter[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const errors: unknown[] = [];
  let alive = 0; // adapters running, starting, or waiting to retry
  let stopped = false;

  /** One attempt; on failure schedules the next or gives up. Resolves when this attempt settled. */
  const attempt = async (adapter: PlannedAdapter, tries: number): Promise<void> => {
    try {
      const started = await adapter.start(service);
      if (stopped) {
        await started.stop().catch(() => undefined);
        return;
      }
      running.push(started);
      log(
        `${started.platform}: ${started.description}${tries > 0 ? ` (after ${tries + 1} tries)` : ''}`,
      );
    } catch (error) {
      const e = toSynestheteError(error);
      errors.push(e);
      if (stopped) return;
      if (e.code === 'E_CONFIG' || adapter.platform === 'web') {
        alive--;
        log(`${adapter.platform}: not started: ${e.message}`);
        return;
      }
      const delay = delays[Math.min(tries, delays.length - 1)] ?? 300_000;
      log(
        `${adapter.platform}: not started: ${e.message}; trying again in ${Math.round(delay / 1000)} s`,
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        void attempt(adapter, tries + 1);
      }, delay);
      timers.add(timer);
    }
  };

  const startAll = (adapters: readonly PlannedAdapter[]) => {
    alive += adapters.length;
    return Promise.all(adapters.map((a) => attempt(a, 0)));
  };

  let firstWait: NodeJS.Timeout | undefined;
  await Promise.race([
    startAll(planned),
    new Promise((resolve) => {
      firstWait = setTimeout(resolve, options.firstWaitMs ?? 3_000);
    }),
  ]);
  clearTimeout(firstWait);
  if (running.length === 0 && !planned.some((a) => a.platform === 'web') && options.fallback) {
    log('no chat platform is up yet: starting the web chat too');
    await startAll([await options.fallback()]);
  }
  if (running.length === 0 && alive <= 0) {
    throw errors[0] ?? new Error('no adapter to start');
  }
  return {
    running,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const results = await Promise.allSettled(running.map((a) => a.stop()));
      for (const r of results) {
        if (r.status === 'rejected') log(`stop failed: ${toSynestheteError(r.reason).message}`);
      }
    },
  };
}
