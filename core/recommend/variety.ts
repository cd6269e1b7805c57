/**
 * Variety of a result list: no two versions of one song (same normalised title and artist, or
 * near-identical audio), and at most a few results from one artist and from one album. Applied
 * greedily in rank order, so the best-ranked version of a song stays and the list stays sorted.
 *
 * @module
 */

/** How varied a result list must be; every field has a default (see {@link DEFAULT_VARIETY}). */
export interface VarietyOptions {
  /** Results from one artist at most (integer ≥ 1; `Infinity` for no limit). */
  readonly maxPerArtist?: number;
  /** Results from one album at most (integer ≥ 1; `Infinity` for no limit). */
  readonly maxPerAlbum?: number;
  /** Keep several versions of one song (live, remastered, duplicate files). */
  readonly allowVersions?: boolean;
  /**
   * Cosine similarity of two track vectors above which they are taken for one recording (or a
   * version of it), in (−1, 1]; only used when the vectors are known.
   */
  readonly sameAudioCosine?: number;
}

/**
 * The defaults: two per artist, two per album, no versions, and track vectors with cosine above
 * 0.93 taken for the same recording (docs/recommendations.md gives the measurement it rests on:
 * re-encoded and remastered copies of a track against the nearest distinct tracks).
 */
export const DEFAULT_VARIETY: Required<VarietyOptions> = {
  maxPerArtist: 2,
  maxPerAlbum: 2,
  allowVersions: false,
  sameAudioCosine: 0.93,
};

/** What {@link pickVaried} needs to know of a candidate. */
export interface VarietyCandidate {
  readonly trackId: number;
  readonly title: string | null;
  readonly artist: string | null;
  readonly album: string | null;
  /** The track's catalogue vector, when known (for the near-identical-audio rule). */
  readonly vector?: Float32Array | null;
}

/** Words that mark a version of a song rather than another song, inside brackets or after " - ". */
const VERSION_WORDS =
  /\b(live|remaster(ed)?|remix|mix|edit|version|mono|stereo|demo|acoustic|unplugged|instrumental|extended|deluxe|bonus|re-?recorded|mastered|feat\.?|ft\.?|featuring)\b/i;

/**
 * A song's title reduced to what versions of it share: lower case, accents and punctuation gone,
 * bracketed parts and " - …" suffixes that name a version ("(Live)", "[Remastered 2011]",
 * "- Radio Edit", "(feat. X)") removed, and a trailing "feat. …" cut.
 *
 * @param title - a title as tagged, or null
 * @returns the normalised title ("" for null or a title of only punctuation)
 * @example normaliseTitle("Hey Jude - Remastered 2015") === "hey jude"
 */
export function normaliseTitle(title: string | null): string {
  if (!title) return '';
  let t = title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  // Bracketed parts that name a version; other brackets keep their words.
  t = t.replace(/[([{]([^)\]}]*)[)\]}]/g, (_whole, inner: string) =>
    VERSION_WORDS.test(inner) || /^\s*\d{4}\s*$/.test(inner) ? ' ' : ` ${inner} `,
  );
  // " - Remastered 2011", " – Live at …": a dash followed by version words.
  t = t.replace(/\s[-–—]\s(.*)$/, (whole, rest: string) => (VERSION_WORDS.test(rest) ? '' : whole));
  t = t.replace(/\s(feat\.?|ft\.?|featuring)\s.*$/i, '');
  return normaliseName(t);
}

/**
 * An artist or album name for comparison: lower case, accents, punctuation and a leading "the"
 * gone, a "feat. …" tail cut, spaces collapsed.
 *
 * @param name - as tagged, or null
 * @returns "" for null or an empty name
 */
export function normaliseName(name: string | null): string {
  if (!name) return '';
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s(feat\.?|ft\.?|featuring)\s.*$/, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/^the\s/, '')
    .trim();
}

/**
 * The key two versions of one song share: normalised title and artist; undefined when the title
 * is unknown (an untagged track is then only a version of another by its audio).
 */
export function versionKey(t: Pick<VarietyCandidate, 'title' | 'artist'>): string | undefined {
  const title = normaliseTitle(t.title);
  return title ? `${title}\u0000${normaliseName(t.artist)}` : undefined;
}

/** Cosine similarity of two vectors of equal length (0 when either is all zeros). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Picks up to `k` candidates in rank order under the variety rules: a candidate that is a version
 * of one already picked (same {@link versionKey}, or track vectors with cosine above
 * `sameAudioCosine`) is skipped unless `allowVersions`; one whose artist or album already has its
 * maximum is held back. When fewer than `k` remain, the held-back candidates fill the list in rank
 * order (a small catalogue still answers `k`); versions never do.
 *
 * @param ranked - candidates, best first (each at most once)
 * @param k - results wanted (integer ≥ 0)
 * @param options - the rules; defaults {@link DEFAULT_VARIETY}
 * @param query - what the answer is about (the query's own track, the seeds): versions of these
 *   are left out too, but they do not count toward the artist and album caps
 * @returns the picked candidates, in their original order
 */
export function pickVaried<T extends VarietyCandidate>(
  ranked: readonly T[],
  k: number,
  options: VarietyOptions = {},
  query: readonly VarietyCandidate[] = [],
): T[] {
  const o = { ...DEFAULT_VARIETY, ...definedOnly(options) };
  const picked: T[] = [];
  const held: T[] = [];
  const keys = new Set<string>();
  const perArtist = new Map<string, number>();
  const perAlbum = new Map<string, number>();
  for (const q of query) {
    const key = versionKey(q);
    if (key !== undefined) keys.add(key);
  }
  const isVersion = (c: T) => {
    if (o.allowVersions) return false;
    const key = versionKey(c);
    if (key !== undefined && keys.has(key)) return true;
    return (
      !!c.vector &&
      [...query, ...picked].some(
        (p) => !!p.vector && cosine(p.vector, c.vector as Float32Array) > o.sameAudioCosine,
      )
    );
  };
  const take = (c: T) => {
    picked.push(c);
    const key = versionKey(c);
    if (key !== undefined) keys.add(key);
    const artist = normaliseName(c.artist);
    const album = normaliseName(c.album);
    if (artist) perArtist.set(artist, (perArtist.get(artist) ?? 0) + 1);
    if (album) perAlbum.set(album, (perAlbum.get(album) ?? 0) + 1);
  };
  for (const c of ranked) {
    if (picked.length >= k) break;
    if (isVersion(c)) continue;
    const artist = normaliseName(c.artist);
    const album = normaliseName(c.album);
    if (
      (artist && (perArtist.get(artist) ?? 0) >= o.maxPerArtist) ||
      (album && (perAlbum.get(album) ?? 0) >= o.maxPerAlbum)
    ) {
      held.push(c);
      continue;
    }
    take(c);
  }
  for (const c of held) {
    if (picked.length >= k) break;
    if (!isVersion(c)) take(c);
  }
  const order = new Map(ranked.map((c, i) => [c, i]));
  return picked.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/** The options without keys set to undefined (so that they do not override the defaults). */
function definedOnly(options: VarietyOptions): VarietyOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
