/**
 * Real non-music recordings for the music gate: kinds from file paths, the manifest of
 * scripts/fetch-sounds.sh, the package split, and 10 s voice notes laid out from real sound
 * effects (test/fixtures/sounds, Widelands).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../core/audio/decode.js';
import { loudnessDbfs } from '../../core/features/descriptors.js';
import {
  readSoundManifest,
  realSoundClips,
  realSoundVoiceNotes,
  SOUND_SPLIT,
  soundKind,
  soundSplit,
} from '../../training/real-sounds.js';
import { ffmpegBinary } from '../helpers/audio.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'sounds');

describe('soundKind', () => {
  it('reads the kind from the words of real package paths', () => {
    const stk = 'usr/share/games/supertuxkart/data/sfx';
    expect(soundKind(`${stk}/exotic-birds.ogg`)).toBe('animals');
    expect(soundKind(`${stk}/engine_large.ogg`)).toBe('machines');
    expect(soundKind(`${stk}/airplane_jetEngine.ogg`)).toBe('machines');
    expect(soundKind(`${stk}/rain.ogg`)).toBe('nature');
    expect(soundKind(`${stk}/waterfall_loop_2.ogg`)).toBe('nature');
    expect(soundKind(`${stk}/WilhelmScream.ogg`)).toBe('voices');
    expect(soundKind(`${stk}/explosion.ogg`)).toBe('impacts');
    expect(soundKind(`${stk}/clock.ogg`)).toBe('household');
    expect(soundKind(`${stk}/goo.ogg`)).toBe('other');
  });

  it('takes the file name before its folders, and the earlier kind on a tie', () => {
    const wl = 'usr/share/games/widelands/data/sound';
    expect(soundKind(`${wl}/animals/wolf_00.ogg`)).toBe('animals');
    expect(soundKind(`${wl}/farm/sheep_00.ogg`)).toBe('animals');
    expect(soundKind(`${wl}/sawmill/sawmill_00.ogg`)).toBe('machines');
    // "crickets" (plural of a keyword) in a folder of animals; "dog_die": animals before voices.
    expect(soundKind(`${wl}/animals/crickets1_00.ogg`)).toBe('animals');
    expect(soundKind('sounds/dog_die.wav')).toBe('animals');
    expect(soundKind('sounds/effects/x_01.ogg')).toBe('other');
    expect(soundKind('sounds/ambient/x_01.ogg')).toBe('nature');
  });

  it('gives every file of a one-kind package that kind', () => {
    expect(soundKind('en/vm-password.wav', 'asterisk-core-sounds-en-wav')).toBe('voices');
    expect(soundKind('stereo/bell.oga', 'sound-theme-freedesktop')).toBe('household');
  });
});

describe('the package split', () => {
  it('keeps validation and test packages apart from the fit packages', () => {
    for (const pkg of SOUND_SPLIT.validation) expect(soundSplit(pkg)).toBe('validation');
    for (const pkg of SOUND_SPLIT.test) expect(soundSplit(pkg)).toBe('test');
    expect(soundSplit('a-package-nobody-named')).toBe('fit');
    const shared = SOUND_SPLIT.test.filter((p) =>
      (SOUND_SPLIT.validation as readonly string[]).includes(p),
    );
    expect(shared).toEqual([]);
  });
});

describe('real sound voice notes', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let manifest: string;
  beforeAll(async () => {
    tmp = await tempDir('real-sounds');
    manifest = path.join(tmp.dir, 'manifest.csv');
    // The manifest as scripts/fetch-sounds.sh writes it, paths relative to its folder.
    const row = (name: string, pkg: string, seconds: number) =>
      `"${path.relative(tmp.dir, path.join(FIXTURES, name))}",${pkg},${seconds},"copyright"`;
    await writeFile(
      manifest,
      [
        'file,package,duration_s,license_file',
        row('bird1_00.ogg', 'widelands-data', 4.16),
        row('wolf_00.ogg', 'widelands-data', 13.18),
        row('sheep_00.ogg', 'widelands-data', 0.99),
        row('sawmill_00.ogg', 'widelands-data', 3.26),
        // A long file whose path says nothing of what it holds is left out; a short one is kept.
        row('track07.ogg', 'other-data', 45),
        row('goo.ogg', 'other-data', 2),
      ].join('\n'),
    );
  });
  afterAll(() => tmp.remove());

  it('reads the manifest with absolute paths and kinds', async () => {
    const items = await readSoundManifest(manifest);
    expect(items.map((i) => [path.basename(i.file), i.kind])).toEqual([
      ['bird1_00.ogg', 'animals'],
      ['wolf_00.ogg', 'animals'],
      ['sheep_00.ogg', 'animals'],
      ['sawmill_00.ogg', 'machines'],
      ['goo.ogg', 'other'],
    ]);
    expect(items.every((i) => path.isAbsolute(i.file))).toBe(true);
    await writeFile(path.join(tmp.dir, 'odd.csv'), 'name,kind\n"a.ogg",x\n');
    await expect(readSoundManifest(path.join(tmp.dir, 'odd.csv'))).rejects.toThrow(/columns/);
  });

  it('lays out 10 s of each kind as an Opus voice note, the same for a seed', async () => {
    const items = (await readSoundManifest(manifest)).filter((i) => i.package === 'widelands-data');
    const ffmpeg = ffmpegBinary();
    const notes = await realSoundVoiceNotes(items, 2, 10, ffmpeg, 5);
    expect(notes.map((n) => n.kind)).toEqual(['animals', 'machines']);
    const lengths: number[] = [];
    for (const note of notes) {
      expect(note.ogg.subarray(0, 4).toString('latin1')).toBe('OggS');
      const decoded = await decodeAudio(new Uint8Array(note.ogg), { sampleRate: 22_050 });
      lengths.push(decoded.pcm.length);
      expect(decoded.pcm.length / 22_050).toBeGreaterThan(9.3);
      expect(decoded.pcm.length / 22_050).toBeLessThan(10.8);
      // Set to −30…−12 dBFS (less where peaks would pass +12 dBFS) before the chain, whose gain
      // moves it by −12…+3 dB.
      const level = loudnessDbfs(decoded.pcm);
      expect(level).toBeGreaterThan(-50);
      expect(level).toBeLessThan(-6);
    }
    // The same seed makes the same clips, decoded by the engine's decoder.
    const clips = await realSoundClips(items, 2, 10, 22_050, ffmpeg, 5);
    expect(clips.map((c) => c.kind)).toEqual(['animals', 'machines']);
    expect(clips.map((c) => c.pcm.length)).toEqual(lengths);
    // The machine clip is the 3.3 s sawmill recording several times with gaps: its loudness
    // varies over the clip far more than a steady sound's would.
    const span = (pcm: Float32Array, from: number) =>
      loudnessDbfs(pcm.subarray(Math.floor(from * 22_050), Math.floor((from + 0.5) * 22_050)));
    const spans = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => span(clips[1]!.pcm, s));
    expect(Math.max(...spans) - Math.min(...spans)).toBeGreaterThan(6);
    await expect(realSoundVoiceNotes([], 1, 10, ffmpeg, 1)).rejects.toThrow(/no sound files/);
  }, 240_000);
});
