/**
 * Real recordings that are not music, for fitting and testing the music gate
 * (core/model/music-gate.ts): the sound effects, ambiences, desktop sounds and spoken prompts of
 * Debian packages that `scripts/fetch-sounds.sh` lists in data/sounds/manifest.csv.
 *
 * Each file gets a kind from the words of its path ({@link soundKind}), and whole packages are
 * kept apart for fitting, for choosing the threshold and for the report ({@link SOUND_SPLIT}).
 * A gate clip is 10 s of one package's sounds of one kind ({@link realSoundClips}): a random
 * excerpt of a file that long, otherwise the package's files of that kind one after another with
 * random gaps (0.1–1.5 s of silence), the way a phone held up to a barking dog or a ticking
 * machine records several events — never one short file looped, whose strict period would sound
 * like a beat. Every clip then goes the way a user's clip goes: made at 48 kHz, through a
 * voice-note chain drawn by training/augmentations.ts into an Ogg Opus file, decoded by the
 * engine's decoder at the model's rate.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { decodeAudio } from '../core/audio/decode.js';
import { encodeVoiceNote } from '../core/audio/voice-note.js';
import { SynestheteError } from '../core/util/errors.js';
import { createRng, type Rng, randomInt, uniform } from '../core/util/random.js';
import { drawAugmentation } from './augmentations.js';

/** Kinds of real non-music sound, the order {@link soundKind} tries them in; "other" last. */
export const SOUND_KINDS = [
  'animals',
  'voices',
  'nature',
  'machines',
  'household',
  'impacts',
  'other',
] as const;

/** A kind of real non-music sound (nature: weather, water, fire; household: home and UI sounds). */
export type SoundKind = (typeof SOUND_KINDS)[number];

/** Words of a file's path that give its kind (matched as whole words, plural "s" allowed). */
const KIND_WORDS: Record<Exclude<SoundKind, 'other'>, readonly string[]> = {
  animals: (
    'animal bird chirp tweet dog bark woof cat meow purr cow moo sheep baa horse neigh ' +
    'whinny gallop hoof hooves pig oink chicken hen rooster cluck duck quack goose frog ' +
    'croak cricket insect bee wasp fly mosquito wolf wolves howl bear growl roar lion ' +
    'tiger monkey owl crow raven caw seagull gull parrot elephant whale dolphin snake ' +
    'hiss bat rat mouse mice goat deer boar fox penguin seal walrus moose bug beetle ' +
    'spider creature monster dragon slime zombie wyvern drake gryphon chick hatch bleat ' +
    'stag coyote donkey ox mule camel farm critter'
  ).split(' '),
  voices: (
    'crowd cheer cheering applause clap laugh laughing giggle scream shout yell voice ' +
    'speech say talk cough sneeze grunt groan moan sigh gasp pain hurt ouch oof ugh die ' +
    'death dying kiss people kid child children baby cry crying breath breathing snore ' +
    'hiccup burp taunt hello hey comment comments vocal spoken announcer wee yay oops hmm ' +
    'huh whistle pa'
  ).split(' '),
  nature: (
    'rain thunder lightning wind storm weather water river stream waterfall wave ocean ' +
    'sea surf splash bubble drip flame burn burning campfire fireplace crackle lava torch ' +
    'hail snow creek lake underwater swim brook fountain geyser forest jungle cave ' +
    'thunderstorm blizzard volcano earthquake rockslide avalanche ambient ambience ' +
    'atmosphere birdsong tree'
  ).split(' '),
  machines: (
    'engine motor car kart truck train tram plane airplane jet helicopter machine ' +
    'machinery mechanic mechanical gear drill saw chainsaw robot factory industry ' +
    'industrial servo hydraulic pump compressor crane tractor vehicle bus boat ship horn ' +
    'siren rev revup accel skid brake tire tyre nitro turbine generator electric ' +
    'spaceship ufo hover conveyor mill sawmill mine elevator lift construction construct ' +
    'build building hammer anvil forge smith steam tank propeller rotor teleport beam ' +
    'radio static forcefield airport station ambulance police railway rail loco ' +
    'locomotive diesel maglev monorail aircraft plant refinery oil power sawing benchsaw ' +
    'stonecutter stonemason goldspin weaver weaving grind stonegrind furnace sharpening ' +
    'toolsmith scythe hammering woodcutting cutting'
  ).split(' '),
  household: (
    'door knock glass dish plate cup clock tick tock bell phone ring doorbell kettle ' +
    'paper page book key lock locked unlock drawer chair toilet flush shower tap sink ' +
    'fridge microwave spoon fork typing keyboard click button menu message notify ' +
    'notification dialog error warning complete login logout startup shutdown toggle ' +
    'toggled trash camera shutter shuffle card coin money cash beep alert alarm download ' +
    'upload select cancel confirm open close slide zipper cloth scissors tear crumple ' +
    'pour clink drink eat chew pop plop device suspend resume screen capture print copy ' +
    'call calling incoming outgoing busy service hub connected ' +
    'disconnected nick chat private finished begins plug unplug battery desktop system ' +
    'sent pickup grab collect item inventory ui gui interface switch paint brush stamp ' +
    'eraser tool magic pencil crayon chalk marker spray wood wooden box inn tavern biginn ' +
    'meal ration beer wine lobby'
  ).split(' '),
  impacts: (
    'explosion explode boom bomb shot shoot gun pistol rifle shotgun laser bullet hit ' +
    'punch crash smash break shatter impact bounce jump land step footstep walk run sword ' +
    'blade slash swing arrow bow throw weapon missile rocket grenade fire thud bump ' +
    'collide collision whoosh swoosh swish zap strike metal clang fall kick attack blast ' +
    'cannon mortar flak dig squish splat boing spring plasma blaster ricochet reload club ' +
    'axe mace spear hammerhit'
  ).split(' '),
};

const KIND_INDEX = new Map<string, Exclude<SoundKind, 'other'>>();
for (const kind of SOUND_KINDS) {
  if (kind === 'other') continue;
  for (const word of KIND_WORDS[kind]) if (!KIND_INDEX.has(word)) KIND_INDEX.set(word, kind);
}

/** Packages whose every file is of one kind, whatever its name says. */
const PACKAGE_KINDS: Record<string, SoundKind> = {
  'asterisk-core-sounds-en-wav': 'voices',
  'sound-theme-freedesktop': 'household',
  'deepin-sound-theme': 'household',
  'gnome-audio': 'household',
  'eiskaltdcpp-sounds': 'household',
  'pidgin-data': 'household',
  'psi-plus-sounds': 'household',
  aisleriot: 'household',
};

/**
 * The kind of a sound file from the words of its path: camelCase and every non-letter split
 * words, a trailing "s" is dropped when the singular is a keyword, and the first kind of
 * {@link SOUND_KINDS} with a word in the file's name wins, else the first with a word in its
 * folders, else "other".
 *
 * @param file - the file's path (absolute or relative; only the part below the package matters)
 * @param pkg - its package (some packages are one kind throughout)
 * @returns the kind
 */
export function soundKind(file: string, pkg = ''): SoundKind {
  const fixed = PACKAGE_KINDS[pkg];
  if (fixed) return fixed;
  const words = (text: string) =>
    text
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((w) => w.length > 0);
  const kindOf = (text: string): SoundKind | undefined => {
    let best: number | undefined;
    for (const word of words(text)) {
      const kind =
        KIND_INDEX.get(word) ??
        (word.endsWith('s') ? KIND_INDEX.get(word.slice(0, -1)) : undefined);
      if (kind === undefined) continue;
      const rank = SOUND_KINDS.indexOf(kind);
      if (best === undefined || rank < best) best = rank;
    }
    return best === undefined ? undefined : SOUND_KINDS[best];
  };
  const name = path.basename(file).replace(/\.[a-z0-9]+$/i, '');
  return kindOf(name) ?? kindOf(path.dirname(file)) ?? 'other';
}

/**
 * Packages of data/sounds kept apart: "fit" packages fit the classifier, "validation" packages
 * choose its threshold, "test" packages are only for the report (`npm run evaluate-held-out`).
 * Chosen so that each of validation and test holds several kinds, and the packages whose music
 * is in the held-out soundtracks (training.heldOutGroups) are not fitted on.
 */
export const SOUND_SPLIT = {
  validation: [
    'supertuxkart-data',
    'teeworlds-data',
    'deepin-sound-theme',
    'pingus-data',
    'minetest-data',
  ],
  test: [
    'widelands-data',
    'flare-game',
    'supertux-data',
    'hedgewars-data',
    'frozen-bubble-data',
    'sound-theme-freedesktop',
  ],
} as const;

/** Which part of {@link SOUND_SPLIT} a package is in ("fit" when it is in neither list). */
export function soundSplit(pkg: string): 'fit' | 'validation' | 'test' {
  if ((SOUND_SPLIT.test as readonly string[]).includes(pkg)) return 'test';
  if ((SOUND_SPLIT.validation as readonly string[]).includes(pkg)) return 'validation';
  return 'fit';
}

/** One file of data/sounds/manifest.csv. */
export interface SoundItem {
  /** Absolute path. */
  readonly file: string;
  readonly package: string;
  readonly durationS: number;
  readonly kind: SoundKind;
}

/**
 * Longest file of kind "other" that is taken, seconds: a long file whose path says nothing of
 * what it holds may be a piece of music (a title or credits track outside a music folder).
 */
export const MAX_OTHER_SECONDS = 20;

/**
 * Reads the manifest written by scripts/fetch-sounds.sh (columns file, package, duration_s; paths
 * relative to it) and gives each file its kind; files of kind "other" longer than
 * {@link MAX_OTHER_SECONDS} are left out.
 *
 * @param manifestPath - path of data/sounds/manifest.csv
 * @throws SynestheteError `E_NOT_FOUND` when the file is missing, `E_CONFIG` when a column is
 *   missing
 */
export async function readSoundManifest(manifestPath: string): Promise<SoundItem[]> {
  const root = path.dirname(path.resolve(manifestPath));
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new SynestheteError('E_NOT_FOUND', `cannot read sound manifest ${manifestPath}`, {
      cause: error,
    });
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >;
  const first = rows[0];
  if (first && (first.file === undefined || first.package === undefined || !first.duration_s)) {
    throw new SynestheteError(
      'E_CONFIG',
      `${manifestPath}: needs columns file, package, duration_s`,
    );
  }
  return rows
    .map((row) => {
      const file = path.resolve(root, row.file ?? '');
      const pkg = row.package ?? '';
      const below = file.split(`${path.sep}${pkg}${path.sep}`).pop() ?? file;
      return {
        file,
        package: pkg,
        durationS: Number(row.duration_s),
        kind: soundKind(below, pkg),
      };
    })
    .filter((item) => item.kind !== 'other' || item.durationS <= MAX_OTHER_SECONDS);
}

/** One gate clip of real sounds. */
export interface RealSoundClip {
  readonly kind: SoundKind;
  readonly package: string;
  /** Mono Float32 PCM at the requested rate, in [-1, 1]. */
  readonly pcm: Float32Array;
}

/** Sample rate clips are made at before the voice-note chain (phones record at 48 kHz). */
const SOURCE_RATE = 48_000;

/** Gaps between events of a clip made of short files, seconds. */
const GAP_S: readonly [number, number] = [0.1, 1.5];

/** Opus bitrates of the clips, kbit/s (as training/non-music.ts's files). */
const OPUS_KBPS: readonly [number, number] = [16, 64];

/** Decodes a source file at 48 kHz (short files allowed); cached by the caller. */
async function decodeSource(file: string): Promise<Float32Array> {
  const decoded = await decodeAudio(file, {
    sampleRate: SOURCE_RATE,
    minDurationS: 0,
    maxAnalysedS: 120,
    segments: 1,
    timeoutMs: 60_000,
  });
  return decoded.pcm;
}

/**
 * Lays out `seconds` of audio from a pool of files of one kind and package: a random excerpt of a
 * file at least that long, else files one after another with random gaps.
 */
async function composeClip(
  pool: readonly SoundItem[],
  seconds: number,
  rng: Rng,
  decode: (file: string) => Promise<Float32Array>,
): Promise<Float32Array> {
  const length = Math.round(seconds * SOURCE_RATE);
  const out = new Float32Array(length);
  const first = pool[randomInt(rng, 0, pool.length - 1)]!;
  if (first.durationS >= seconds) {
    const pcm = await decode(first.file);
    const start = randomInt(rng, 0, Math.max(0, pcm.length - length));
    out.set(pcm.subarray(start, start + length));
    if (pcm.length > 0) return out;
  }
  let at = Math.round(uniform(rng, 0, 0.5) * SOURCE_RATE);
  let item = first;
  while (at < length) {
    const pcm = await decode(item.file);
    for (let i = 0; i < pcm.length && at + i < length; i++) out[at + i]! += pcm[i]!;
    at += pcm.length + Math.round(uniform(rng, GAP_S[0], GAP_S[1]) * SOURCE_RATE);
    item = pool[randomInt(rng, 0, pool.length - 1)]!;
  }
  return out;
}

/**
 * Scales to an RMS level in dBFS, with at most 12 dB of peaks above full scale left for the
 * chain's limiter (a phone's gain control does the same to a sharp sound).
 */
function scaleLevel(pcm: Float32Array, dbfs: number): void {
  let energy = 0;
  let peak = 0;
  for (const v of pcm) {
    energy += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  const rms = Math.sqrt(energy / Math.max(1, pcm.length));
  if (rms === 0) return;
  const gain = Math.min(10 ** (dbfs / 20) / rms, 4 / peak);
  for (let i = 0; i < pcm.length; i++) pcm[i]! *= gain;
}

/** One clip of real sounds as a user would send it: an Ogg Opus voice note. */
export interface RealSoundVoiceNote {
  readonly kind: SoundKind;
  readonly package: string;
  /** The Ogg Opus file's bytes. */
  readonly ogg: Buffer;
}

/**
 * Makes `count` voice notes of real sounds from `items`, cycling through the kinds present and
 * taking a random package that has the kind for each clip; deterministic for a seed.
 *
 * Each clip is laid out at 48 kHz (see the module comment), set to −30…−12 dBFS RMS and passed
 * through a voice-note chain drawn by training/augmentations.ts (band-limit, reverb, gain, pitch
 * and tempo, pink noise where the draw adds noise) into an Ogg Opus file at 16–64 kbit/s. Files
 * that cannot be decoded are skipped (reported on stderr): they add nothing to a clip made of
 * short files, and a long one gives way to the short-file layout.
 *
 * @param items - the files to draw from (e.g. one part of {@link SOUND_SPLIT})
 * @param count - number of clips
 * @param seconds - length of each clip
 * @param ffmpeg - ffmpeg binary
 * @param seed - integer seed
 * @returns voice notes with their kind and package
 * @throws Error when `items` is empty, or ffmpeg fails
 */
export async function realSoundVoiceNotes(
  items: readonly SoundItem[],
  count: number,
  seconds: number,
  ffmpeg: string,
  seed: number,
): Promise<RealSoundVoiceNote[]> {
  if (items.length === 0) throw new Error('no sound files to make clips of');
  const rng = createRng(seed);
  const pools = new Map<SoundKind, Map<string, SoundItem[]>>();
  for (const item of items) {
    const byPackage = pools.get(item.kind) ?? new Map<string, SoundItem[]>();
    pools.set(item.kind, byPackage);
    const list = byPackage.get(item.package) ?? [];
    byPackage.set(item.package, list);
    list.push(item);
  }
  const kinds = SOUND_KINDS.filter((k) => pools.has(k));
  const cache = new Map<string, Float32Array>();
  const decode = async (file: string) => {
    let pcm = cache.get(file);
    if (!pcm) {
      // A file the engine's decoder cannot read (a damaged sound of a package) adds nothing.
      pcm = await decodeSource(file).catch((error: unknown) => {
        process.stderr.write(
          `real sounds: skipping ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        return new Float32Array(0);
      });
      if (cache.size > 256) cache.clear();
      cache.set(file, pcm);
    }
    return pcm;
  };
  const notes: RealSoundVoiceNote[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length]!;
    const packages = [...pools.get(kind)!.entries()];
    const [pkg, pool] = packages[randomInt(rng, 0, packages.length - 1)]!;
    const pcm = await composeClip(pool, seconds, rng, decode);
    scaleLevel(pcm, uniform(rng, -30, -12));
    const { chain } = drawAugmentation(rng);
    const ogg = await encodeVoiceNote(
      pcm,
      SOURCE_RATE,
      { ...chain, bitrateKbps: randomInt(rng, OPUS_KBPS[0], OPUS_KBPS[1]) },
      ffmpeg,
      rng,
    );
    notes.push({ kind, package: pkg, ogg });
  }
  return notes;
}

/**
 * Gate clips of real sounds: {@link realSoundVoiceNotes} decoded by core/audio/decode.ts at
 * `sampleRate`, the way the engine reads a user's clip.
 *
 * @param items - the files to draw from
 * @param count - number of clips
 * @param seconds - length of each clip
 * @param sampleRate - Hz of the returned PCM (the model's)
 * @param ffmpeg - ffmpeg binary
 * @param seed - integer seed (deterministic for a seed)
 * @returns clips with their kind and package
 * @throws Error as {@link realSoundVoiceNotes}, or when a voice note cannot be decoded
 */
export async function realSoundClips(
  items: readonly SoundItem[],
  count: number,
  seconds: number,
  sampleRate: number,
  ffmpeg: string,
  seed: number,
): Promise<RealSoundClip[]> {
  const notes = await realSoundVoiceNotes(items, count, seconds, ffmpeg, seed);
  const clips: RealSoundClip[] = [];
  for (const note of notes) {
    const decoded = await decodeAudio(new Uint8Array(note.ogg), { sampleRate, segments: 1 });
    clips.push({ kind: note.kind, package: note.package, pcm: decoded.pcm });
  }
  return clips;
}
