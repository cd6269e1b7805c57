/**
 * The soak's load: voice notes sent all at once through the real Telegram adapter (grammY, long
 * polling a local fake Bot API) and through the real Slack adapter (Bolt, signed POSTs to
 * `/slack/events`, answers read off a local fake Web API). Every clip comes from another user, so
 * that the per-user rate limit does not hide the shared queue's "busy".
 */
import { readFile } from 'node:fs/promises';
import type { ChatService } from '../bots/shared/types.js';
import { FAKE_SLACK } from '../test/bots/fakes/slack-api.js';
import { fileShareMessage } from '../test/bots/fakes/slack-events.js';
import { awaitThreadAnswer, startSlackRig } from '../test/bots/fakes/slack-harness.js';
import { startTelegramDriver } from '../test/bots/fakes/telegram-driver.js';

/** What happened to the clips of one platform. */
export interface LoadOutcome {
  readonly platform: 'telegram' | 'slack';
  readonly sent: number;
  /** Answered with results. */
  readonly answered: number;
  /** Told "busy" (the queue was full). */
  readonly busy: number;
  /** Any other answer (a refusal, an error text), by its text's start. */
  readonly other: number;
  /** No answer within the time bound. */
  readonly lost: number;
  /** Milliseconds from sending to the final answer, per answered-or-busy clip, ascending. */
  readonly latenciesMs: number[];
}

/** How long one clip may take before it counts as lost. */
const ANSWER_BOUND_MS = 120_000;

/** The busy text, as the chat service words it. */
const BUSY = /busy right now/;

/**
 * Sends `count` voice notes at once through the Telegram adapter.
 *
 * @param service - the chat service over the engine
 * @param clip - path of an Ogg Opus voice note
 */
export async function telegramLoad(
  service: ChatService,
  clip: string,
  count: number,
): Promise<LoadOutcome> {
  const driver = await startTelegramDriver(service, { chat: 'group' });
  try {
    const results = await Promise.all(
      Array.from({ length: count }, async () => {
        const started = performance.now();
        try {
          const done = await withBound(driver.sendClip(clip));
          const text = done.reply.text;
          const kind =
            done.reply.resultTrackIds.length > 0 ? 'answered' : BUSY.test(text) ? 'busy' : 'other';
          return { kind, ms: performance.now() - started };
        } catch {
          return { kind: 'lost', ms: performance.now() - started };
        }
      }),
    );
    return summarise('telegram', results);
  } finally {
    await driver.close();
  }
}

/**
 * Uploads `count` voice notes at once to the Slack events endpoint.
 *
 * @param service - the chat service over the engine
 * @param clip - path of an Ogg Opus voice note
 */
export async function slackLoad(
  service: ChatService,
  clip: string,
  count: number,
): Promise<LoadOutcome> {
  const rig = await startSlackRig(service);
  const bytes = await readFile(clip);
  try {
    const from = rig.fake.calls.length;
    const results = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const started = performance.now();
        try {
          const ts = rig.fake.nextTs();
          const file = rig.fake.addFile({
            bytes,
            name: 'voice.ogg',
            mimetype: 'audio/ogg',
            filetype: 'ogg',
            subtype: 'slack_audio',
            share: { channel: FAKE_SLACK.channelId, ts },
          });
          const user = `U0SOAK${String(i).padStart(4, '0')}`;
          const response = await rig.sendEvent(fileShareMessage({ file, ts, user }));
          if (response.status !== 200) return { kind: 'lost', ms: performance.now() - started };
          const answer = await withBound(awaitThreadAnswer(rig.fake, ts, from));
          const kind =
            answer.resultTrackIds.length > 0
              ? 'answered'
              : BUSY.test(answer.text)
                ? 'busy'
                : 'other';
          return { kind, ms: performance.now() - started };
        } catch {
          return { kind: 'lost', ms: performance.now() - started };
        }
      }),
    );
    return summarise('slack', results);
  } finally {
    await rig.close();
  }
}

function withBound<T>(work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer in time')), ANSWER_BOUND_MS);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function summarise(
  platform: LoadOutcome['platform'],
  results: ReadonlyArray<{ kind: string; ms: number }>,
): LoadOutcome {
  const count = (kind: string) => results.filter((r) => r.kind === kind).length;
  return {
    platform,
    sent: results.length,
    answered: count('answered'),
    busy: count('busy'),
    other: count('other'),
    lost: count('lost'),
    latenciesMs: results
      .filter((r) => r.kind === 'answered' || r.kind === 'busy')
      .map((r) => r.ms)
      .sort((a, b) => a - b),
  };
}

/**
 * Nearest-rank percentile (the ⌈p·n⌉-th smallest).
 *
 * @param sorted - ascending samples
 * @param p - in (0, 1]
 * @returns the percentile, or NaN for no samples
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}
