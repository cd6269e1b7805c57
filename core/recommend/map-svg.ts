/**
 * Draws a catalogue map as SVG: one dot per track coloured by its genre tag (the ten commonest
 * tags get colours, the rest grey), a legend, and optionally a query with its results marked and
 * joined to it.
 *
 * @module
 */

/** One track on the map. */
export interface MapPoint {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  /** Genre tag, or null when untagged (drawn grey). */
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

/**
 * The map as an SVG document.
 *
 * @param points - the laid-out tracks (any scale; fitted to the picture)
 * @param options - `title`, picture `width` and `height` in pixels (default 1000 × 760), `query`
 * @returns the SVG text
 */
export function mapSvg(
  points: readonly MapPoint[],
  options: { title?: string; width?: number; height?: number; query?: MapQuery } = {},
): string {
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

  const counts = new Map<string, number>();
  for (const p of points) if (p.genre) counts.set(p.genre, (counts.get(p.genre) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, PALETTE.length - 1);
  const colour = new Map(top.map(([g], i) => [g, PALETTE[i] as string]));
  const grey = PALETTE[PALETTE.length - 1] as string;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad}" y="${pad + 4}" font-size="18" fill="#222">${escapeXml(options.title ?? 'Catalogue map')}</text>`,
  ];
  for (const p of points) {
    const c = (p.genre && colour.get(p.genre)) || grey;
    out.push(
      `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${c}" fill-opacity="0.8"/>`,
    );
  }
  if (q) {
    const byId = new Map(points.map((p) => [p.id, p]));
    const qx = px(q.x);
    const qy = py(q.y);
    q.results.forEach((r, i) => {
      const p = byId.get(r.id);
      if (!p) return;
      const [rx, ry] = [px(p.x), py(p.y)];
      out.push(
        `<line x1="${qx.toFixed(1)}" y1="${qy.toFixed(1)}" x2="${rx.toFixed(1)}" y2="${ry.toFixed(1)}" stroke="#222" stroke-width="1" stroke-dasharray="3 3"/>`,
        `<circle cx="${rx.toFixed(1)}" cy="${ry.toFixed(1)}" r="8" fill="none" stroke="#222" stroke-width="2"/>`,
        `<text x="${(rx + 9).toFixed(1)}" y="${(ry - 6).toFixed(1)}" font-size="12" font-weight="bold" fill="#222">${i + 1}</text>`,
      );
    });
    out.push(
      `<path d="M ${qx.toFixed(1)} ${(qy - 11).toFixed(1)} l 3.2 7 7.6 0.8 -5.7 5.1 1.6 7.5 -6.7 -3.9 -6.7 3.9 1.6 -7.5 -5.7 -5.1 7.6 -0.8 z" fill="#111"/>`,
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
  out.push(`<text x="${lx}" y="${ly - 14}" font-size="13" fill="#222">genre tag</text>`);
  for (const [g, n] of top) {
    out.push(
      `<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="${colour.get(g)}"/>`,
      `<text x="${lx + 18}" y="${ly}" font-size="12" fill="#222">${escapeXml(g)} (${n})</text>`,
    );
    ly += 18;
  }
  const rest = points.length - top.reduce((s, [, n]) => s + n, 0);
  if (rest > 0) {
    out.push(
      `<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="${grey}"/>`,
      `<text x="${lx + 18}" y="${ly}" font-size="12" fill="#222">other or untagged (${rest})</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
