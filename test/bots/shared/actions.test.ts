import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../../bots/shared/actions.js';
import type { Vote } from '../../../bots/shared/types.js';

describe('button payloads', () => {
  it('round-trips every vote, within Telegram’s 64-byte callback_data', () => {
    for (const vote of ['up', 'down', 'more'] as Vote[]) {
      for (const trackId of [1, 42, 999_999_999_999]) {
        const payload = encodeAction({ vote, trackId });
        expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(64);
        expect(decodeAction(payload)).toEqual({ vote, trackId });
      }
    }
  });

  it('refuses payloads that are not ours', () => {
    for (const payload of ['', 'v', 'v:up', 'v:meh:1', 'x:up:1', 'v:up:-1', 'v:up:1e3', 'v:up:']) {
      expect(decodeAction(payload)).toBeUndefined();
    }
  });
});
