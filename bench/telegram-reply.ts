/**
 * Telegram reply latency: from a voice update (a 15 s Opus voice note of a catalogue track)
 * being queued at a local fake of the Bot API to the bot's results message (match named + five
 * results) arriving there, through the real adapter (grammY long polling, getFile, download,
 * chat service, engine, HTML render, sendMessage). Median and p90 of several runs after
 * warm-ups, and where the time goes. Prints figures, asserts nothing.
 *
 * Run alone with `npm run build && node dist/bench/telegram-reply.js [tracks folder]`; `npm run
 * bench` runs it on its own catalogue and voice note.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createChatService } from '../bots/shared/chat-service.js';
import type { ChatService, ClipInput } from '../bots/shared/types.js';
import { resolveFfmpeg } from '../core/audio/ffmpeg.js';
import { runProcess } from '../core/audio/process.js';
import { type Engine, openEngine } from '../core/engine.js';
import { packageRoot } from '../core/util/paths.js';
import { startTelegramDriver } from '../test/bots/fakes/telegram-driver.js';
import { percentile } from './percentile.js';

/** Timed runs and warm-ups (the first clip pays for lazy loading). */
const RUNS = 10;
const WARM_UPS = 2;

/** Milliseconds of each stage of one run, measured from the update being queued. */
interface RunTimes {
  /** Reply with results (the figure the issue bounds). */
  readonly reply: number;
  /** "typing…" requested (sendChatAction arrived at the fake). */
  readonly typing: number;
  /** The adapter handed the clip to the chat service. */
  readonly serviceCalled: number;
  /** getFile + file download inside `read()`. */
  readonly download: number;
  /** The service's work besides the download (queue, decode, features, CNN, search, PNG). */
  readonly analysis: number;
  /** Service answered → results message arrived (render + sendMessage round trip). */
  readonly send: number;
  /** Results message → spectrogram photo arrived. */
  readonly photoAfterReply: number;
  /** engine.recommend on the same file, alone (no service, no adapter). */
  readonly engineAlone: number;
}

/** What {@link measureTelegramReply} returns. */
export interface TelegramReplyTimings {
  readonly runs: number;
  /** Push → results message, ms, each run. */
  readonly samples: readonly number[];
  readonly medianMs: number;
  readonly p90Ms: number;
  /** Median of each stage, ms. */
  readonly stages: Readonly<Record<keyof RunTimes, number>>;
  /** The match the bot named (the first line of its reply). */
  readonly firstLine: string;
}

/** A chat service that notes when each clip came in, was downloaded and was answered. */
function timedService(inner: ChatService) {
  const marks = { called: 0, readStart: 0, readEnd: 0, answered: 0 };
  const service: ChatService = {
    ...inner,
    async handleClip(input: ClipInput) {
      marks.called = performance.now();
      const answer = await inner.handleClip({
        ...input,
        async read() {
          marks.readStart = performance.now();
          const bytes = await input.read();
          marks.readEnd = performance.now();
          return bytes;
        },
      });
      marks.answered = performance.now();
      return answer;
    },
  };
  return { service, marks };
}

/**
 * Measures the Telegram reply latency.
 *
 * @param engine - an open engine whose catalogue holds the track the voice note is cut from
 * @param voiceNote - path of the voice note (Ogg Opus)
 * @param runs - timed runs (default 10), after 2 warm-ups
 * @returns per-run samples, median, p90 and the median of each stage
 * @throws Error when the bot does not answer with results
 */
export async function measureTelegramReply(
  engine: Engine,
  voiceNote: string,
  runs = RUNS,
): Promise<TelegramReplyTimings> {
  // No per-user rate limit in the way: one user sends every clip, as fast as answers come.
  const { service, marks } = timedService(
    createChatService(engine, { rateLimit: { clips: 1000, perS: 1 }, log: () => {} }),
  );
  const driver = await startTelegramDriver(service);
  const samples: number[] = [];
  const times: RunTimes[] = [];
  let firstLine = '';
  try {
    for (let i = 0; i < WARM_UPS + runs; i++) {
      const sent = await driver.sendClip(voiceNote);
      const at = (method: string) => sent.calls.find((c) => c.method === method)?.at ?? Number.NaN;
      const results = sent.calls.find(
        (c) => c.method === 'sendMessage' && c.params.reply_markup !== undefined,
      );
      if (!results || sent.reply.resultTrackIds.length !== 5) {
        throw new Error(`the bot answered without five results: ${sent.reply.text}`);
      }
      firstLine = sent.reply.text.split('\n')[0] ?? '';
      if (i < WARM_UPS) continue;
      const t0 = sent.pushedAt;
      const engineStarted = performance.now();
      await engine.recommend(voiceNote);
      const engineAlone = performance.now() - engineStarted;
      samples.push(results.at - t0);
      times.push({
        reply: results.at - t0,
        typing: at('sendChatAction') - t0,
        serviceCalled: marks.called - t0,
        download: marks.readEnd - marks.readStart,
        analysis: marks.answered - marks.called - (marks.readEnd - marks.readStart),
        send: results.at - marks.answered,
        photoAfterReply: at('sendPhoto') - results.at,
        engineAlone,
      });
    }
  } finally {
    await driver.close();
    await service.drain();
  }
  const stage = (key: keyof RunTimes) =>
    percentile(
      times.map((t) => t[key]),
      50,
    );
  return {
    runs,
    samples,
    medianMs: percentile(samples, 50),
    p90Ms: percentile(samples, 90),
    stages: {
      reply: stage('reply'),
      typing: stage('typing'),
      serviceCalled: stage('serviceCalled'),
      download: stage('download'),
      analysis: stage('analysis'),
      send: stage('send'),
      photoAfterReply: stage('photoAfterReply'),
      engineAlone: stage('engineAlone'),
    },
    firstLine,
  };
}

/**
 * The rows bench/run.ts prints for {@link TelegramReplyTimings}.
 *
 * @returns [label, value] pairs, milliseconds with no decimals
 */
export function telegramReplyRows(t: TelegramReplyTimings): Array<[string, string]> {
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '-');
  return [
    ['bot said', t.firstLine],
    [`reply median / p90 (${t.runs} runs)`, `${ms(t.medianMs)} / ${ms(t.p90Ms)}`],
    ['  "typing…" shown after', ms(t.stages.typing)],
    ['  clip handed to the chat service after', ms(t.stages.serviceCalled)],
    ['  getFile + download', ms(t.stages.download)],
    ['  analysis (queue, decode, CNN, search, PNG)', ms(t.stages.analysis)],
    ['  render + sendMessage', ms(t.stages.send)],
    ['spectrogram photo after the reply', ms(t.stages.photoAfterReply)],
    ['engine.recommend alone, same clip', ms(t.stages.engineAlone)],
  ];
}

/** Cuts a 15 s mono Opus voice note (24 kbit/s, voip) from `source`, starting 8 s in. */
export async function cutVoiceNote(source: string, dest: string): Promise<string> {
  const ffmpeg = await resolveFfmpeg();
  const cut = await runProcess(ffmpeg.path, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-ss', '8', '-t', '15', '-i', source],
    ...['-ac', '1', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-f', 'ogg', dest],
  ]);
  if (cut.code !== 0) throw new Error(`ffmpeg could not cut the voice note: ${cut.stderr}`);
  return dest;
}

async function main(): Promise<void> {
  const tracks = path.resolve(
    process.argv[2] ?? path.join(packageRoot(), 'data', 'demo', 'tracks'),
  );
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-telegram-'));
  const engine = await openEngine({ catalog: path.join(tmp, 'catalog') });
  try {
    process.stdout.write(`ingesting ${tracks} …\n`);
    const summary = await engine.ingest([tracks]);
    const voiceNote = await cutVoiceNote(
      path.join(tracks, 'metal_rock__Metal_madness.ogg'),
      path.join(tmp, 'voice.ogg'),
    );
    const timings = await measureTelegramReply(engine, voiceNote);
    const rows = telegramReplyRows(timings);
    const width = Math.max(...rows.map(([k]) => k.length));
    const title = `Telegram reply: 15 s voice note → results (fake Bot API, ${summary.total} tracks)`;
    process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(`  samples: ${timings.samples.map((s) => s.toFixed(0)).join(', ')} ms\n`);
  } finally {
    await engine.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
