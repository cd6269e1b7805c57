/**
 * Draws a catalogue map as SVG: one dot per track coloured by its genre tag, or by any other
 * grouping the caller puts in `genre` (e.g. the folder; `legend` names it) — the nine commonest
 * get colours, the rest grey — dots smaller and fainter the more there are, a legend, and optionally a query with its results marked and
 * joined to it.
 *
 * @module
 */

/** One track on the map. */
export interface MapPoint {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  /** Genre tag (or the group the map is coloured by), or null when there is none (drawn grey). */
  readonly genre: string | null;
}

/** A query to mark: where it lands and its results (by track id, best first). */
export interface MapQuery {
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly results: readonly { readonly id: number; readonly label: string }[];
}

/** Ten colours that stay apart for most readers (Tableau 10). */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\p{Cc}]/gu, ' ');

/** The colour of untagged tracks and of tags past the nine commonest. */
export const OTHER_COLOUR = PALETTE[PALETTE.length - 1] as string;

/** The colours of a catalogue's genre tags: the nine commonest get one each, the rest grey. */
export interface GenreColours {
  /** The colour of a track with this tag (grey for null and uncommon tags). */
  colourOf(genre: string | null): string;
  /** The coloured tags, commonest first, with their track counts. */
  readonly top: readonly {
    readonly genre: string;
    readonly colour: string;
    readonly count: number;
  }[];
  /** Tracks drawn grey (untagged or an uncommon tag). */
  readonly rest: number;
}

/** What a map's colours show: the genre tag, or the folder holding each file. */
export type MapColouring = 'genre' | 'folder';

/** The legend's heading and its grey entry, for each {@link MapColouring}. */
export const MAP_LEGENDS: Readonly<
  Record<MapColouring, { readonly title: string; readonly other: string }>
> = {
  genre: { title: 'genre tag', other: 'other or untagged' },
  folder: { title: 'folder', other: 'other folders' },
};

/**
 * The colouring a catalogue is best drawn with: by genre tag when at least half the tracks carry
 * one, else by the folder holding each file (an untagged library is most often sorted into
 * folders by artist, album or source).
 *
 * @param tracks - the catalogue's tracks
 */
export function autoColouring(tracks: readonly { readonly genre: string | null }[]): MapColouring {
  const tagged = tracks.filter((t) => t.genre).length;
  return tagged * 2 >= tracks.length ? 'genre' : 'folder';
}

/**
 * The group a track's dot is coloured by: its genre tag, or the name of the folder its file is in.
 *
 * @param track - its genre tag and source path
 * @param colouring - what the colours show
 * @returns the group, or null (drawn grey)
 */
export function colourGroup(
  track: { readonly genre: string | null; readonly sourcePath: string },
  colouring: MapColouring,
): string | null {
  if (colouring === 'genre') return track.genre;
  return track.sourcePath.split(/[\\/]/).slice(-2, -1)[0] || null;
}

/**
 * Gives the nine commonest genre tags a colour each (ties: alphabetical), the rest grey.
 *
 * @param points - the tracks' genre tags
 */
export function genreColours(points: readonly { readonly genre: string | null }[]): GenreColours {
  const counts = new Map<string, number>();
  for (const p of points) if (p.genre) counts.set(p.genre, (counts.get(p.genre) ?? 0) + 1);
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, PALETTE.length - 1)
    .map(([genre, count], i) => ({ genre, count, colour: PALETTE[i] as string }));
  const colour = new Map(top.map((t) => [t.genre, t.colour]));
  return {
    colourOf: (genre) => (genre && colour.get(genre)) || OTHER_COLOUR,
    top,
    rest: points.length - top.reduce((s, t) => s + t.count, 0),
  };
}

/**
 * Dot radius and opacity for `n` dots on `area` square pixels: a few dozen tracks get large,
 * nearly opaque dots; thousands get small, translucent ones, so that dense regions still show
 * their density and their colours mix instead of the last-drawn tag hiding the others.
 *
 * @param n - number of dots
 * @param area - the plot's area in square pixels
 * @returns radius in pixels (1.6–4.5) and fill opacity (0.3–0.85; about 0.47 at 10,000)
 */
export function dotStyle(n: number, area: number): { radius: number; opacity: number } {
  const spacing = Math.sqrt(area / Math.max(1, n));
  const radius = Math.min(4.5, Math.max(1.6, spacing * 0.16));
  const opacity = Math.min(0.85, Math.max(0.3, 0.85 - 0.25 * Math.log10(Math.max(1, n / 300))));
  return { radius: Math.round(radius * 10) / 10, opacity: Math.round(opacity * 100) / 100 };
}

/** A count with thousands separators: 10000 → "10,000". */
const count = (n: number) => n.toLocaleString('en-US');

/**
 * The map as an SVG document.
 *
 * @param points - the laid-out tracks (any scale; fitted to the picture)
 * @param options - `title`, picture `width` and `height` in pixels (default 1000 × 760), `query`,
 *   `legend` (what the colours are and what grey is; default "genre tag", "other or untagged")
 * @returns the SVG text
 */
export function mapSvg(
  points: readonly MapPoint[],
  options: {
    title?: string;
    width?: number;
    height?: number;
    query?: MapQuery;
    legend?: { readonly title: string; readonly other: string };
  } = {},
): string {
  const legend = options.legend ?? { title: 'genre tag', other: 'other or untagged' };
  const width = options.width ?? 1000;
  const height = options.height ?? 760;
  const legendW = 200;
  const pad = 30;
  const q = options.query;
  const xs = [...points.map((p) => p.x), ...(q ? [q.x] : [])];
  const ys = [...points.map((p) => p.y), ...(q ? [q.y] : [])];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const plotW = width - legendW - 2 * pad;
  const plotH = height - 2 * pad - 30 - (q ? 16 * (q.results.length + 1) : 0);
  const scale = Math.min(plotW / (x1 - x0 || 1), plotH / (y1 - y0 || 1));
  const px = (x: number) => pad + (x - x0) * scale + (plotW - (x1 - x0) * scale) / 2;
  const py = (y: number) => pad + 30 + (y - y0) * scale + (plotH - (y1 - y0) * scale) / 2;

  const colours = genreColours(points);
  const dot = dotStyle(points.length, plotW * plotH);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad}" y="${pad + 4}" font-size="18" fill="#222">${escapeXml(options.title ?? 'Catalogue map')}</text>`,
    `<g fill-opacity="${dot.opacity}">`,
  ];
  for (const p of points) {
    out.push(
      `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${dot.radius}" fill="${colours.colourOf(p.genre)}"/>`,
    );
  }
  out.push('</g>');
  if (q) {
    const byId = new Map(points.map((p) => [p.id, p]));
    const qx = px(q.x);
    const qy = py(q.y);
    // When the five sit too close to tell apart here, the inset beside the legend shows them.
    const zoomed = zoomReach(points, q) * scale <= ZOOM_BELOW_PX;
    q.results.forEach((r, i) => {
      const p = byId.get(r.id);
      if (!p || zoomed) return;
      const [rx, ry] = [px(p.x), py(p.y)];
      out.push(
        `<line x1="${qx.toFixed(1)}" y1="${qy.toFixed(1)}" x2="${rx.toFixed(1)}" y2="${ry.toFixed(1)}" stroke="#222" stroke-width="1" stroke-dasharray="3 3"/>`,
        `<circle cx="${rx.toFixed(1)}" cy="${ry.toFixed(1)}" r="8" fill="none" stroke="#222" stroke-width="2"/>`,
        `<text x="${(rx + 9).toFixed(1)}" y="${(ry - 6).toFixed(1)}" font-size="12" font-weight="bold" fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke">${i + 1}</text>`,
      );
    });
    out.push(
      `<path d="M ${qx.toFixed(1)} ${(qy - 11).toFixed(1)} l 3.2 7 7.6 0.8 -5.7 5.1 1.6 7.5 -6.7 -3.9 -6.7 3.9 1.6 -7.5 -5.7 -5.1 7.6 -0.8 z" fill="#111" stroke="#fff" stroke-width="1.5" paint-order="stroke"/>`,
    );
    // The query and its results are named under the picture, so that close dots stay readable.
    out.push(
      `<text x="${pad}" y="${height - 12 - 16 * q.results.length}" font-size="13" font-weight="bold" fill="#111">★ ${escapeXml(q.label)}</text>`,
      ...q.results.map(
        (r, i) =>
          `<text x="${pad + 14}" y="${height - 12 - 16 * (q.results.length - 1 - i)}" font-size="12" fill="#222">${i + 1}. ${escapeXml(r.label)}</text>`,
      ),
    );
  }
  const lx = width - legendW + 10;
  let ly = pad + 40;
  out.push(
    `<text x="${lx}" y="${ly - 14}" font-size="13" fill="#222">${escapeXml(legend.title)}</text>`,
  );
  for (const t of colours.top) {
    out.push(
      `<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="${t.colour}"/>`,
      `<text x="${lx + 18}" y="${ly}" font-size="12" fill="#222">${escapeXml(t.genre)} (${count(t.count)})</text>`,
    );
    ly += 18;
  }
  if (colours.rest > 0) {
    out.push(
      `<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="${OTHER_COLOUR}"/>`,
      `<text x="${lx + 18}" y="${ly}" font-size="12" fill="#222">${escapeXml(legend.other)} (${count(colours.rest)})</text>`,
    );
    ly += 18;
  }
  out.push(
    `<text x="${lx}" y="${ly + 8}" font-size="11" fill="#666">one dot per track; close dots</text>`,
    `<text x="${lx}" y="${ly + 22}" font-size="11" fill="#666">sound alike</text>`,
  );
  if (q) {
    out.push(
      ...zoomInset(points, q, colours, {
        at: [lx - 4, ly + 44],
        size: Math.min(legendW - 14, height - ly - 60),
        scale,
        mark: (x, y) => [px(x), py(y)],
      }),
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The query's results are shown magnified when they all sit within this many pixels of it. */
const ZOOM_BELOW_PX = 60;

/** How far (layout units, the larger of |dx| and |dy|) the query's farthest result is from it. */
function zoomReach(points: readonly MapPoint[], q: MapQuery): number {
  const ids = new Set(q.results.map((r) => r.id));
  let reach = 0;
  for (const p of points) {
    if (ids.has(p.id)) reach = Math.max(reach, Math.abs(p.x - q.x), Math.abs(p.y - q.y));
  }
  return reach;
}

/**
 * A magnified view of the query's neighbourhood, drawn beside the map when the query and its
 * results sit within a few dozen pixels of each other (a large catalogue: neighbours are close
 * at the map's scale, and their rings and numbers would pile up), and a frame on the map showing
 * where it is.
 *
 * @param points - every track (those inside the zoomed square are drawn)
 * @param q - the query and its results
 * @param colours - the genre colours of the map
 * @param box - where (`at`, top left) and how big (`size`, pixels) the inset is, the map's
 *   `scale` (pixels per layout unit) and its position function `mark`
 * @returns SVG elements; none when the results are spread out enough on the map itself
 */
function zoomInset(
  points: readonly MapPoint[],
  q: MapQuery,
  colours: GenreColours,
  box: {
    at: [number, number];
    size: number;
    scale: number;
    mark: (x: number, y: number) => [number, number];
  },
): string[] {
  const byId = new Map(points.map((p) => [p.id, p]));
  const placed = q.results.flatMap((r, i) => {
    const p = byId.get(r.id);
    return p ? [{ p, n: i + 1 }] : [];
  });
  const reach = zoomReach(points, q);
  if (placed.length === 0 || reach * box.scale > ZOOM_BELOW_PX || box.size < 100) return [];
  const half = Math.max(reach * 1.35, 1e-6);
  const k = box.size / (2 * half);
  const [bx, by] = box.at;
  const zx = (x: number) => bx + box.size / 2 + (x - q.x) * k;
  const zy = (y: number) => by + box.size / 2 + (y - q.y) * k;
  const inside = points.filter((p) => Math.abs(p.x - q.x) <= half && Math.abs(p.y - q.y) <= half);
  const [fx0, fy0] = box.mark(q.x - half, q.y - half);
  const [fx1, fy1] = box.mark(q.x + half, q.y + half);
  const out = [
    // The zoomed square on the map.
    `<rect x="${fx0.toFixed(1)}" y="${fy0.toFixed(1)}" width="${Math.max(2, fx1 - fx0).toFixed(1)}" height="${Math.max(2, fy1 - fy0).toFixed(1)}" fill="none" stroke="#555" stroke-width="1"/>`,
    `<text x="${bx}" y="${by - 6}" font-size="12" fill="#222">zoomed (the small square)</text>`,
    `<clipPath id="zoom"><rect x="${bx}" y="${by}" width="${box.size}" height="${box.size}"/></clipPath>`,
    `<rect x="${bx}" y="${by}" width="${box.size}" height="${box.size}" fill="#fafafa" stroke="#555" stroke-width="1"/>`,
    `<g clip-path="url(#zoom)">`,
    `<g fill-opacity="0.75">`,
    ...inside.map(
      (p) =>
        `<circle cx="${zx(p.x).toFixed(1)}" cy="${zy(p.y).toFixed(1)}" r="3" fill="${colours.colourOf(p.genre)}"/>`,
    ),
    '</g>',
  ];
  const [sx, sy] = [zx(q.x), zy(q.y)];
  for (const { p, n } of placed) {
    const [rx, ry] = [zx(p.x), zy(p.y)];
    out.push(
      `<line x1="${sx.toFixed(1)}" y1="${sy.toFixed(1)}" x2="${rx.toFixed(1)}" y2="${ry.toFixed(1)}" stroke="#222" stroke-width="1" stroke-dasharray="3 3"/>`,
      `<circle cx="${rx.toFixed(1)}" cy="${ry.toFixed(1)}" r="7" fill="none" stroke="#222" stroke-width="2"/>`,
      `<text x="${(rx + 8).toFixed(1)}" y="${(ry - 5).toFixed(1)}" font-size="12" font-weight="bold" fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke">${n}</text>`,
    );
  }
  out.push(
    `<path d="M ${sx.toFixed(1)} ${(sy - 11).toFixed(1)} l 3.2 7 7.6 0.8 -5.7 5.1 1.6 7.5 -6.7 -3.9 -6.7 3.9 1.6 -7.5 -5.7 -5.1 7.6 -0.8 z" fill="#111" stroke="#fff" stroke-width="1.5" paint-order="stroke"/>`,
    '</g>',
  );
  return out;
}

/**
 * Renders a map SVG as PNG (`@resvg/resvg-js`, loaded on first use; system fonts).
 *
 * @param svg - what {@link mapSvg} wrote
 * @returns the PNG bytes
 */
export async function mapPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
}
