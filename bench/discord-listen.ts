/**
 * Discord `/listen` capture-to-reply time: 15 s of a catalogue track as real 20 ms Opus packets
 * (48 kHz stereo, prism-media/opusscript) delivered to a `@discordjs/voice` AudioReceiveStream in
 * a fake receiver, through the real listening session (state machine, capture/mixer, Opus
 * decoding, chat service, engine, Discord rendering), timed from the last packet received to the
 * reply being ready to send (the rendered message body). Only the voice network and Discord's
 * REST round trip are left out. Packets are delivered as fast as decoding keeps up (one per
 * event-loop turn) rather than every 20 ms, so a run takes ~1 s instead of 15 s; the timed part
 * (after the last packet) is the same. Median and p90 of several runs after warm-ups, and where
 * the time goes. Prints figures, asserts nothing.
 *
 * Run alone with `npm run build && node dist/bench/discord-listen.js [tracks folder]`; `npm run
 * bench` runs it on its own catalogue.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { captureVoice } from '../bots/discord/voice/capture.js';
import { analyseLive } from '../bots/discord/voice/live-clip.js';
import { renderSessionMessage } from '../bots/discord/voice/render.js';
import { ListenSession } from '../bots/discord/voice/session.js';
import { createChatService } from '../bots/shared/chat-service.js';
import type { ChatAnswer } from '../bots/shared/types.js';
import { type Engine, openEngine } from '../core/engine.js';
import { packageRoot } from '../core/util/paths.js';
import { fakeVoice, opusPacketsOf } from '../test/bots/fakes/voice.js';
import { percentile } from './percentile.js';

/** Timed runs and warm-ups (the first clip pays for lazy loading). */
const RUNS = 10;
const WARM_UPS = 2;
/** What is played (run alone): this demo track, from this second, for the default N of /listen. */
const SOURCE = 'metal_rock__Metal_madness.ogg';
const START_S = 8;
const SECONDS = 15;
const MEMBER = '1300000000000000099';

/** Milliseconds after the last packet, per stage of one run. */
interface RunTimes {
  /** Reply ready (rendered message body): the figure docs/benchmarks.md reports. */
  readonly reply: number;
  /** Capture finished (last frame decoded and mixed; N seconds reached). */
  readonly captured: number;
  /** The chat service answered (resample, features, CNN, fingerprint, search, PNG). */
  readonly analysed: number;
}

/** What {@link measureDiscordListen} returns. */
export interface DiscordListenTimings {
  readonly runs: number;
  /** Last packet → reply ready, ms, each run. */
  readonly samples: readonly number[];
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly stages: Readonly<Record<keyof RunTimes, number>>;
  /** Opus packets per run and the match the bot named. */
  readonly packets: number;
  readonly named: string;
}

/** One /listen: session over a fake connection, packets played once it listens. */
async function listenOnce(
  service: ReturnType<typeof createChatService>,
  packets: readonly Buffer[],
): Promise<{ times: RunTimes; answer: ChatAnswer | undefined }> {
  const voice = fakeVoice();
  let lastPacketAt = 0;
  let capturedAt = 0;
  let analysedAt = 0;
  let readyAt = 0;
  let answer: ChatAnswer | undefined;
  let listening: () => void = () => undefined;
  const isListening = new Promise<void>((resolve) => {
    listening = resolve;
  });
  const context = { channelName: 'Lounge', mode: 'once' as const, seconds: SECONDS };
  const session = new ListenSession(
    { target: benchTarget(), mode: 'once', seconds: SECONDS, userId: MEMBER },
    {
      connect: voice.connector,
      capture: async (receiver, options) => {
        const audio = await captureVoice(receiver, options);
        capturedAt = performance.now();
        return audio;
      },
      analyse: async (audio) => {
        const result = await analyseLive(service, audio, { textChannelId: '1', callerId: MEMBER });
        analysedAt = performance.now();
        return result;
      },
      post: async (message) => {
        if (message.kind === 'listening') {
          listening();
          return;
        }
        renderSessionMessage(message, context);
        readyAt = performance.now();
        answer = message.answer;
      },
    },
  );
  const run = session.run();
  await isListening;
  // Packets sent before the capture subscribed are not received (as on Discord): wait for it.
  while (!voice.receiver.subscriptions.has(MEMBER)) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  lastPacketAt = await voice.receiver.play(MEMBER, packets);
  const outcome = await run;
  if (outcome.reason !== 'answered') throw new Error(`/listen ended with ${outcome.reason}`);
  return {
    times: {
      reply: readyAt - lastPacketAt,
      captured: capturedAt - lastPacketAt,
      analysed: analysedAt - lastPacketAt,
    },
    answer,
  };
}

/** A voice channel to "join" (the fake connector sends nothing). */
function benchTarget() {
  return {
    guildId: '1300000000000000001',
    channelId: '1300000000000000002',
    adapterCreator: () => ({ sendPayload: () => true, destroy: () => undefined }),
  };
}

/**
 * Measures capture-to-reply time of `/listen` for 15 s of a catalogue track, 8 s in.
 *
 * @param engine - an engine whose catalogue holds `source`
 * @param source - the audio file of a catalogue track (at least 24 s long)
 * @returns median and p90 over {@link RUNS} runs, stage medians, and the match named
 */
export async function measureDiscordListen(
  engine: Engine,
  source: string,
): Promise<DiscordListenTimings> {
  const packets = await opusPacketsOf(source, START_S, SECONDS + 1);
  const service = createChatService(engine, { rateLimit: { clips: 1000, perS: 1 } });
  let named = 'no match';
  const runs: RunTimes[] = [];
  for (let i = 0; i < WARM_UPS + RUNS; i++) {
    const { times, answer } = await listenOnce(service, packets.slice(0, SECONDS * 50));
    if (answer?.kind === 'results') named = answer.match?.label ?? 'no match (results only)';
    else named = `no results (${answer?.kind ?? 'none'})`;
    if (i >= WARM_UPS) runs.push(times);
  }
  await service.drain();
  const samples = runs.map((r) => r.reply);
  const stage = (key: keyof RunTimes) =>
    percentile(
      runs.map((r) => r[key]),
      50,
    );
  return {
    runs: runs.length,
    samples,
    medianMs: percentile(samples, 50),
    p90Ms: percentile(samples, 90),
    stages: { reply: stage('reply'), captured: stage('captured'), analysed: stage('analysed') },
    packets: SECONDS * 50,
    named,
  };
}

/**
 * The rows bench/run.ts prints for {@link DiscordListenTimings}.
 *
 * @returns [label, value] pairs, milliseconds with no decimals
 */
export function discordListenRows(t: DiscordListenTimings): Array<[string, string]> {
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '-');
  return [
    ['bot said', `this sounds like ${t.named}`],
    [
      `last packet → reply ready, median / p90 (${t.runs} runs)`,
      `${ms(t.medianMs)} / ${ms(t.p90Ms)}`,
    ],
    ['  capture done (last frame decoded, 15 s reached)', ms(t.stages.captured)],
    ['  chat service answered (resample, CNN, fingerprint, search, PNG)', ms(t.stages.analysed)],
    ['  rendered (embed, buttons, spectrogram)', ms(t.stages.reply)],
  ];
}

async function main(): Promise<void> {
  const tracks = path.resolve(
    process.argv[2] ?? path.join(packageRoot(), 'data', 'demo', 'tracks'),
  );
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'synesthete-bench-listen-'));
  const engine = await openEngine({ catalog: path.join(tmp, 'catalog') });
  try {
    process.stdout.write(`ingesting ${tracks} …\n`);
    const summary = await engine.ingest([tracks]);
    const timings = await measureDiscordListen(engine, path.join(tracks, SOURCE));
    const rows = discordListenRows(timings);
    const width = Math.max(...rows.map(([k]) => k.length));
    const title = `Discord /listen: ${SECONDS} s of Opus packets → reply ready (${summary.total} tracks)`;
    process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(`  samples: ${timings.samples.map((s) => s.toFixed(0)).join(', ')} ms\n`);
  } finally {
    await engine.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
