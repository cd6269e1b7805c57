/**
 * The Discord adapter's pure parts, without a client: environment options, which attachments are
 * clips, and rendering within Discord's limits.
 */
import { MessageFlags } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../bots/discord/commands.js';
import { redactTokens } from '../../bots/discord/handler-context.js';
import { discordOptionsFromEnv } from '../../bots/discord/index.js';
import {
  type AttachmentLike,
  clipFromMessage,
  isAudioAttachment,
  type MessageLike,
} from '../../bots/discord/parse.js';
import { DISCORD_LIMITS, renderAnswer } from '../../bots/discord/render.js';
import { decodeAction } from '../../bots/shared/actions.js';
import type { ChatAnswer, ResultItem } from '../../bots/shared/types.js';
import { hasCode } from '../../core/util/errors.js';

const APP = '1300000000000000001';

describe('discordOptionsFromEnv', () => {
  it('is off without DISCORD_BOT_TOKEN', () => {
    expect(discordOptionsFromEnv({})).toBeUndefined();
    expect(discordOptionsFromEnv({ DISCORD_BOT_TOKEN: '  ' })).toBeUndefined();
  });

  it('reads token, application, guild and API URL', () => {
    expect(
      discordOptionsFromEnv({
        DISCORD_BOT_TOKEN: 'abc.def.ghi',
        DISCORD_APPLICATION_ID: APP,
        DISCORD_GUILD_ID: '1300000000000000002',
        DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      }),
    ).toEqual({
      token: 'abc.def.ghi',
      applicationId: APP,
      guildId: '1300000000000000002',
      apiUrl: 'http://127.0.0.1:9999/api',
    });
    expect(discordOptionsFromEnv({ DISCORD_BOT_TOKEN: 'abc.def.ghi' })).toEqual({
      token: 'abc.def.ghi',
    });
  });

  it('names the malformed variable in an E_CONFIG error', () => {
    for (const [name, value] of [
      ['DISCORD_APPLICATION_ID', 'my-app'],
      ['DISCORD_GUILD_ID', '12'],
      ['DISCORD_API_URL', 'not a url'],
    ] as const) {
      let error: unknown;
      try {
        discordOptionsFromEnv({ DISCORD_BOT_TOKEN: 'abc.def.ghi', [name]: value });
      } catch (e) {
        error = e;
      }
      expect(hasCode(error, 'E_CONFIG')).toBe(true);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).not.toContain('abc.def.ghi');
    }
  });
});

const attachment = (over: Partial<AttachmentLike>): AttachmentLike => ({
  name: 'file.bin',
  url: 'http://127.0.0.1:1/file',
  size: 1000,
  contentType: null,
  duration: null,
  ...over,
});

const message = (attachments: AttachmentLike[], flags = 0): MessageLike => ({
  channelId: '1300000000000000003',
  author: { id: '1300000000000000004' },
  flags: { has: (flag: MessageFlags) => (flags & flag) === flag },
  attachments: { values: () => attachments },
});

describe('clips from Discord messages', () => {
  it('takes audio/* and video/* types and audio extensions, not pictures', () => {
    expect(isAudioAttachment(attachment({ contentType: 'audio/mpeg' }))).toBe(true);
    expect(isAudioAttachment(attachment({ contentType: 'video/mp4' }))).toBe(true);
    expect(isAudioAttachment(attachment({ name: 'Song.FLAC' }))).toBe(true);
    expect(isAudioAttachment(attachment({ name: 'cat.png', contentType: 'image/png' }))).toBe(
      false,
    );
    expect(isAudioAttachment(attachment({ name: 'notes.txt', contentType: 'text/plain' }))).toBe(
      false,
    );
  });

  it('reads a voice message: kind voice, announced size, type and duration, no download', () => {
    const voice = attachment({
      name: 'voice-message.ogg',
      contentType: 'audio/ogg',
      size: 48_213,
      duration: 15.2,
    });
    const clip = clipFromMessage(message([voice], MessageFlags.IsVoiceMessage));
    expect(clip).toMatchObject({
      platform: 'discord',
      kind: 'voice',
      conversation: 'discord:1300000000000000003',
      user: 'discord:1300000000000000004',
      fileName: 'voice-message.ogg',
      mimeType: 'audio/ogg',
      byteLength: 48_213,
      durationS: 15.2,
    });
  });

  it('picks the first audio attachment and skips the rest', () => {
    const clip = clipFromMessage(
      message([
        attachment({ name: 'cover.jpg', contentType: 'image/jpeg' }),
        attachment({ name: 'take.m4a', contentType: 'audio/mp4; codecs=mp4a' }),
      ]),
    );
    expect(clip?.fileName).toBe('take.m4a');
    expect(clip?.kind).toBe('audio');
    expect(clip?.mimeType).toBe('audio/mp4');
    expect(clipFromMessage(message([attachment({ name: 'cat.png' })]))).toBeUndefined();
  });
});

const item = (rank: number): ResultItem => ({
  rank,
  trackId: 100 + rank,
  label: `A very long title number ${rank} ${'x'.repeat(300)} — Artist`,
  title: `Title ${rank} ${'y'.repeat(120)}`,
  artist: 'Artist',
  similarity: 0.9 - rank / 20,
  confidence: 0.8,
  reason: 'same tempo (120 BPM), bright timbre',
});

describe('rendering for Discord', () => {
  it('fits five results into one embed and five rows of three buttons', () => {
    const answer: ChatAnswer = {
      kind: 'results',
      answerId: 'a1',
      match: { trackId: 7, label: 'Metal madness — Someone', score: 0.8 },
      summary: '128 BPM · A minor · bright',
      results: [1, 2, 3, 4, 5, 6].map(item),
      feedbackApplied: true,
      spectrogramPng: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    };
    const body = renderAnswer(answer);
    const embed = body.embeds[0]?.toJSON();
    expect(embed?.title).toBe('This sounds like Metal madness — Someone');
    expect(embed?.fields).toHaveLength(5);
    expect(embed?.image?.url).toBe('attachment://spectrogram.png');
    for (const field of embed?.fields ?? []) {
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
    }
    expect(body.components).toHaveLength(5);
    const ids = body.components.map((row) =>
      row
        .toJSON()
        .components.map((b) => ('custom_id' in b ? decodeAction(b.custom_id) : undefined)),
    );
    expect(ids[0]).toEqual([
      { vote: 'up', trackId: 101 },
      { vote: 'down', trackId: 101 },
      { vote: 'more', trackId: 101 },
    ]);
    for (const row of body.components) {
      for (const button of row.toJSON().components) {
        expect(('label' in button && button.label?.length) || 0).toBeLessThanOrEqual(80);
      }
    }
    expect(body.files).toHaveLength(1);
  });

  it('renders "more like this" (no summary, no spectrogram) and text answers', () => {
    const more = renderAnswer({
      kind: 'results',
      answerId: 'a2',
      heading: 'More like Nebula',
      summary: '',
      results: [item(1), item(2), item(3)],
      feedbackApplied: false,
    });
    expect(more.embeds[0]?.toJSON().title).toBe('More like Nebula');
    expect(more.files).toHaveLength(0);
    expect(renderAnswer({ kind: 'busy', text: 'Busy, try again.' })).toMatchObject({
      content: 'Busy, try again.',
      embeds: [],
      components: [],
    });
  });
});

describe('Discord commands and logs', () => {
  it('defines /similar with a required attachment, /mix, a message command, /listen and /stop', () => {
    const commands = commandDefinitions();
    expect(commands.map((c) => c.name)).toEqual([
      'similar',
      'help',
      'forget',
      'mix',
      'Find similar',
      'listen',
      'stop',
    ]);
  });

  it('hides interaction tokens in logged URLs', () => {
    expect(
      redactTokens('PATCH /api/v10/webhooks/123/aW50ZXJhY3Rpb24:secret/messages/@original failed'),
    ).toBe('PATCH /api/v10/webhooks/123/[token]/messages/@original failed');
    expect(redactTokens('/interactions/456/tok-en/callback')).toBe(
      '/interactions/456/[token]/callback',
    );
  });
});
