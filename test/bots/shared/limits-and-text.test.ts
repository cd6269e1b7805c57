import { describe, expect, it } from 'vitest';
import {
  clipLimits,
  formatBytes,
  GLOBAL_MAX_BYTES,
  isObviouslyNotAudio,
} from '../../../bots/shared/limits.js';
import { helpMessage } from '../../../bots/shared/messages.js';
import { formatAnswerText, formatMatch, formatResult } from '../../../bots/shared/render-text.js';
import type { ChatAnswer, ResultItem } from '../../../bots/shared/types.js';

const item: ResultItem = {
  rank: 1,
  trackId: 7,
  label: 'Nebula — Alex',
  title: 'Nebula',
  artist: 'Alex',
  similarity: 0.91,
  confidence: 0.874,
  reason: 'same tempo (128 BPM)',
};

describe('limits', () => {
  it('gives Telegram the cloud Bot API’s 20 MB and caps everything at the global limit', () => {
    expect(clipLimits('telegram').maxBytes).toBe(20 * 1024 * 1024);
    expect(clipLimits('web', { maxBytes: 10 * GLOBAL_MAX_BYTES }).maxBytes).toBe(GLOBAL_MAX_BYTES);
    expect(clipLimits('discord').maxDurationS).toBe(600);
  });

  it('refuses pictures, text and documents by type or name; lets audio and video through', () => {
    for (const [mime, name] of [
      ['image/jpeg', 'x.jpg'],
      ['text/plain', undefined],
      ['application/pdf', 'score.pdf'],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', undefined],
      [undefined, 'notes.txt'],
      ['application/octet-stream', 'photo.PNG'],
    ] as const) {
      expect(isObviouslyNotAudio(mime, name), `${mime} ${name}`).toBe(true);
    }
    for (const [mime, name] of [
      ['audio/ogg', 'voice.ogg'],
      ['audio/mpeg; charset=binary', 'song.mp3'],
      ['video/mp4', 'clip.mp4'],
      ['application/ogg', undefined],
      ['application/octet-stream', 'song.flac'],
      [undefined, undefined],
      ['audio/mpeg', 'weird.txt'],
    ] as const) {
      expect(isObviouslyNotAudio(mime, name), `${mime} ${name}`).toBe(false);
    }
  });

  it('formats sizes as the apps do', () => {
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(formatBytes(800 * 1024)).toBe('800 KB');
  });
});

describe('text rendering', () => {
  it('formats a result line and a match', () => {
    expect(formatResult(item)).toBe('1. Nebula — Alex · 87 % · same tempo (128 BPM)');
    expect(formatMatch({ trackId: 3, label: 'Metal madness — X', score: 0.8 })).toContain(
      'Metal madness — X',
    );
  });

  it('renders a results answer and a refusal as plain text', () => {
    const answer: ChatAnswer = {
      kind: 'results',
      answerId: 'a',
      match: { trackId: 3, label: 'Metal madness — X', score: 0.8 },
      summary: '128 BPM · A minor · bright',
      results: [item],
      feedbackApplied: true,
    };
    const text = formatAnswerText(answer);
    expect(text.split('\n')[0]).toContain('Metal madness');
    expect(text).toContain('Your clip: 128 BPM · A minor · bright');
    expect(text).toContain('1. Nebula — Alex · 87 %');
    expect(text).toMatch(/forget/);
    expect(formatAnswerText({ kind: 'busy', text: 'later' })).toBe('later');
  });

  it('help names what to send, the limits and the commands', () => {
    const help = helpMessage('telegram', 20 * 1024 * 1024);
    expect(help).toMatch(/voice message/);
    expect(help).toMatch(/audio file/);
    expect(help).toMatch(/video/);
    expect(help).toContain('20 MB');
    expect(help).toContain('5 s');
    expect(help).toContain('10 min');
    for (const command of ['/similar', '/forget', '/help']) expect(help).toContain(command);
  });
});
