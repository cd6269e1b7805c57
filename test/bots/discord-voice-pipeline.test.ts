/**
 * The /listen receive pipeline end to end without Discord: real Opus packets made from a demo
 * track (20 ms frames, 48 kHz stereo) → `@discordjs/voice`'s AudioReceiveStream (end after
 * silence) → prism-media's Opus decoder → the mixer → the chat service and the engine. The clip's
 * own track must come back as the match; the N-second limit, the silence cut-off and mixing are
 * checked on the same real audio. Nothing is written to disk on the way.
 */
import { watch } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureVoice } from '../../bots/discord/voice/capture.js';
import { DISCORD_SAMPLE_RATE } from '../../bots/discord/voice/decoder.js';
import { analyseLive } from '../../bots/discord/voice/live-clip.js';
import { demoTrack } from '../helpers/paths.js';
import { BOT_TEST_TRACKS, type BotTestEngine, openBotTestEngine } from './engine.js';
import { AFTER_SILENCE, FakeReceiver, opusPacketsOf, SILENCE_FRAME } from './fakes/voice.js';

const MEMBER = '1300000000000000042';
const OTHER = '1300000000000000043';

describe('discord /listen receive pipeline (real Opus packets, no Discord)', () => {
  let engine: BotTestEngine;
  /** 20 s of the catalogue track from 5 s: more than the 15 s limit. */
  let packets: Buffer[];

  beforeAll(async () => {
    engine = await openBotTestEngine({ rateLimit: { clips: 1000, perS: 60 } });
    packets = await opusPacketsOf(demoTrack(BOT_TEST_TRACKS[0]), 5, 20);
  }, 180_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('names the played track from 15 s of Opus packets, stops at the limit, writes no file', async () => {
    expect(packets.length).toBeGreaterThan(15 * 50 + 100); // ~20 s of 20 ms frames
    const receiver = new FakeReceiver();
    const controller = new AbortController();
    const capture = captureVoice(receiver, {
      maxSeconds: 15,
      silenceMs: 1_000,
      userId: MEMBER,
      signal: controller.signal,
    });
    await receiver.play(MEMBER, packets);
    const audio = await capture;
    expect(audio.endedBy).toBe('limit');
    expect(audio.pcm.length).toBe(15 * DISCORD_SAMPLE_RATE);
    expect(audio.seconds).toBe(15);
    expect(audio.speakers).toEqual([MEMBER]);
    expect(receiver.subscribeCalls[0]?.end).toEqual({ behavior: AFTER_SILENCE, duration: 1_000 });
    // Real music, not silence: RMS well above −40 dBFS.
    const rms = Math.sqrt(audio.pcm.reduce((sum, x) => sum + x * x, 0) / audio.pcm.length);
    expect(20 * Math.log10(rms)).toBeGreaterThan(-40);

    const tmp = await mkdtemp(path.join(os.tmpdir(), 'listen-tmp-'));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const created: string[] = [];
    const watcher = watch(tmp, (_event, name) => created.push(String(name)));
    try {
      expect(os.tmpdir()).toBe(tmp);
      const answer = await analyseLive(engine.service, audio, {
        textChannelId: '1300000000000000001',
        callerId: MEMBER,
      });
      expect(answer.kind).toBe('results');
      if (answer.kind !== 'results') return;
      expect(answer.match?.trackId).toBe(engine.catalogueTrackId);
      expect(answer.match?.label).toContain(engine.catalogueTrackTitle);
      expect(answer.results).toHaveLength(5);
      expect(answer.results.map((r) => r.trackId)).not.toContain(engine.catalogueTrackId);
      // The audio went to the engine as PCM: no temporary file, not even for a moment.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(created).toEqual([]);
    } finally {
      watcher.close();
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('ends on silence after the minimum; silence frames add nothing', async () => {
    const receiver = new FakeReceiver();
    const capture = captureVoice(receiver, {
      maxSeconds: 15,
      silenceMs: 300,
      minSeconds: 5,
      userId: MEMBER,
      signal: new AbortController().signal,
    });
    // 7 s of music, then the five silence frames a client sends when it stops, then nothing.
    await receiver.play(MEMBER, [...packets.slice(0, 350), ...Array(5).fill(SILENCE_FRAME)]);
    const audio = await capture;
    expect(audio.endedBy).toBe('silence');
    expect(audio.seconds).toBe(7);
  });

  it('waits through a pause shorter than the minimum, then carries on where it stopped', async () => {
    const receiver = new FakeReceiver();
    const capture = captureVoice(receiver, {
      maxSeconds: 15,
      silenceMs: 200,
      minSeconds: 5,
      userId: MEMBER,
      signal: new AbortController().signal,
    });
    await receiver.play(MEMBER, packets.slice(0, 150)); // 3 s: too little to stop on silence
    await new Promise((resolve) => setTimeout(resolve, 600)); // the stream ends after 200 ms
    expect(receiver.subscriptions.size).toBe(1); // subscribed again, waiting
    await receiver.play(MEMBER, packets.slice(150, 350)); // 4 s more
    const audio = await capture;
    expect(audio.endedBy).toBe('silence');
    expect(audio.seconds).toBe(7);
    expect(receiver.subscribeCalls.length).toBe(2);
  });

  it('ignores other members when one is chosen; mixes everyone otherwise', async () => {
    const quiet = await opusPacketsOf(demoTrack(BOT_TEST_TRACKS[2]), 5, 6, 0.25);
    const chosen = new FakeReceiver();
    const onlyMember = captureVoice(chosen, {
      maxSeconds: 6,
      silenceMs: 300,
      userId: MEMBER,
      signal: new AbortController().signal,
    });
    await Promise.all([chosen.play(OTHER, quiet), chosen.play(MEMBER, packets.slice(0, 300))]);
    const alone = await onlyMember;
    expect(alone.speakers).toEqual([MEMBER]);

    const everyone = new FakeReceiver();
    const mixed = captureVoice(everyone, {
      maxSeconds: 6,
      silenceMs: 300,
      signal: new AbortController().signal,
    });
    await Promise.all([everyone.play(MEMBER, packets.slice(0, 300)), everyone.play(OTHER, quiet)]);
    const both = await mixed;
    expect(both.endedBy).toBe('limit');
    expect(new Set(both.speakers)).toEqual(new Set([MEMBER, OTHER]));
    expect(both.seconds).toBe(6);
    // The mix differs from the chosen member alone by the other member's (quieter) audio.
    let diff = 0;
    let own = 0;
    for (let i = 0; i < both.pcm.length; i++) {
      diff += ((both.pcm[i] ?? 0) - (alone.pcm[i] ?? 0)) ** 2;
      own += (alone.pcm[i] ?? 0) ** 2;
    }
    expect(diff).toBeGreaterThan(own * 0.001);
    expect(diff).toBeLessThan(own);
  });

  it('an abort ends the capture with what it has', async () => {
    const receiver = new FakeReceiver();
    const controller = new AbortController();
    const capture = captureVoice(receiver, {
      maxSeconds: 15,
      silenceMs: 5_000,
      userId: MEMBER,
      signal: controller.signal,
    });
    await receiver.play(MEMBER, packets.slice(0, 100));
    controller.abort();
    const audio = await capture;
    expect(audio.endedBy).toBe('aborted');
    expect(audio.seconds).toBeGreaterThan(1.9);
    expect(audio.seconds).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(receiver.subscriptions.size).toBe(0); // its stream was closed
  });
});
