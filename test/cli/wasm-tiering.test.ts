/**
 * When a short command keeps WebAssembly on V8's baseline code (cli/wasm-tiering.ts): one clip or a
 * few, or none (`similar`); not past {@link BASELINE_ONLY_MAX_CLIPS} clips, not when the user's Node
 * options name a tiering flag, and not with `SYNESTHETE_WASM_TIERING=default`. A recommend through
 * the built command line with the flag set answers as before (test/cli/query.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { BASELINE_ONLY_MAX_CLIPS, wantsBaselineOnly } from '../../cli/wasm-tiering.js';

describe('wantsBaselineOnly', () => {
  it('holds for a one-shot answer of a few clips or none', () => {
    for (const clips of [0, 1, BASELINE_ONLY_MAX_CLIPS]) {
      expect(wantsBaselineOnly(clips, [], {}), `${clips} clips`).toBe(true);
    }
  });

  it('leaves V8 its default past a few clips', () => {
    expect(wantsBaselineOnly(BASELINE_ONLY_MAX_CLIPS + 1, [], {})).toBe(false);
    expect(wantsBaselineOnly(100, [], {})).toBe(false);
  });

  it("leaves a user's own tiering flags and SYNESTHETE_WASM_TIERING=default alone", () => {
    expect(wantsBaselineOnly(1, ['--no-liftoff'], {})).toBe(false);
    expect(wantsBaselineOnly(1, ['--wasm-tiering-budget=5'], {})).toBe(false);
    expect(
      wantsBaselineOnly(1, [], { NODE_OPTIONS: '--max-old-space-size=512 --liftoff-only' }),
    ).toBe(false);
    expect(wantsBaselineOnly(1, [], { SYNESTHETE_WASM_TIERING: 'default' })).toBe(false);
    expect(
      wantsBaselineOnly(1, ['--max-semi-space-size=2'], { NODE_OPTIONS: '--trace-warnings' }),
    ).toBe(true);
  });
});
