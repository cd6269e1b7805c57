/**
 * The catalogue map in the chats: the layout `synesthete map` caches beside the index files
 * (core/recommend/map-layout.ts; computed on the first request and kept in memory per catalogue
 * version, so a later press answers in the time of drawing it), the tracks' names and genre tags,
 * and an answer's clip and five placed on it — as a PNG for the chat platforms and as JSON points
 * for the web chat's interactive map.
 */
import { cachedLayout, placeQuery } from '../../core/recommend/map-layout.js';
import {
  autoColouring,
  colourGroup,
  genreColours,
  MAP_LEGENDS,
  type MapColouring,
  type MapQuery,
  mapPng,
  mapSvg,
} from '../../core/recommend/map-svg.js';
import { type RecommenderPort, trackName } from './recommender-port.js';

/** Tracks a map needs at least (UMAP of fewer means nothing). */
export const MIN_MAP_TRACKS = 3;

/** One track on the map. */
export interface MapTrack {
  readonly id: number;
  /** Layout position (UMAP units). */
  readonly x: number;
  readonly y: number;
  /** "Title — Artist", or a readable file name. */
  readonly label: string;
  readonly genre: string | null;
  /** What its dot is coloured by: the genre tag or the folder (see `colouring`). */
  readonly group: string | null;
}

/** The laid-out catalogue of one catalogue version. */
export interface CatalogueMap {
  readonly catalogVersion: number;
  readonly tracks: readonly MapTrack[];
  /** Genre tags, or folders when fewer than half the tracks have a tag (`autoColouring`). */
  readonly colouring: MapColouring;
}

/** An answer as the map marks it: where it came from and its results, best first. */
export interface MapMark {
  /** "your clip", "your clip = Nebula — X", "More like Nebula — X", "your mix". */
  readonly label: string;
  /** The catalogue track the query is (identified clip, "more like this"), if any. */
  readonly ownTrackId?: number;
  readonly results: readonly {
    readonly id: number;
    readonly label: string;
    readonly similarity: number;
  }[];
}

/** A point of the web chat's map, in [0, 1]² (y down), with its colour. */
export interface MapViewPoint {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly label: string;
  readonly genre: string | null;
  readonly colour: string;
}

/** The web chat's map (GET /api/map). */
export interface MapView {
  readonly kind: 'map';
  /** What the colours show: "genre tag" or "folder". */
  readonly colouredBy: string;
  readonly points: readonly MapViewPoint[];
  readonly legend: readonly {
    readonly label: string;
    readonly colour: string;
    readonly count: number;
  }[];
  /** The answer marked: where its query lands and its results' ids, best first. */
  readonly query?: {
    readonly label: string;
    readonly x: number;
    readonly y: number;
    readonly results: readonly { readonly id: number; readonly label: string }[];
  };
}

/** Thrown (and answered with a text) when the catalogue is too small for a map. */
export class MapTooSmallError extends Error {
  constructor(readonly tracks: number) {
    super(`a map needs at least ${MIN_MAP_TRACKS} tracks; the catalogue has ${tracks}`);
  }
}

/** What the map reads from the engine (all optional in {@link RecommenderPort}). */
type MapEngine = Required<Pick<RecommenderPort, 'indexDir' | 'model'>> & {
  readonly catalog: Required<
    Pick<RecommenderPort['catalog'], 'version' | 'embeddings' | 'getTrackInfos'>
  >;
};

/** True when the engine offers what a map needs. */
function canMap(engine: RecommenderPort): engine is RecommenderPort & MapEngine {
  const c = engine.catalog;
  return (
    typeof engine.indexDir === 'string' &&
    engine.model !== undefined &&
    typeof c.version === 'function' &&
    typeof c.embeddings === 'function' &&
    typeof c.getTrackInfos === 'function'
  );
}

/** The maps of an engine's catalogue, cached per catalogue version. */
export interface CatalogueMaps {
  /** False when the engine cannot give a map (a fake without vectors). */
  readonly available: boolean;
  /**
   * The current catalogue's map: from memory, else the layout file, else computed (and saved).
   * @throws MapTooSmallError for fewer than {@link MIN_MAP_TRACKS} tracks; engine errors
   */
  current(): Promise<CatalogueMap>;
  /** The map as a PNG with `mark` (if any) placed on it. */
  png(map: CatalogueMap, mark: MapMark | undefined): Promise<Uint8Array>;
  /** The map as the web chat's JSON with `mark` (if any) placed on it. */
  view(map: CatalogueMap, mark: MapMark | undefined): MapView;
}

/**
 * Creates the map cache over an engine.
 *
 * @param engine - the recommender; without `indexDir`, `model` and the catalogue's `version`,
 *   `embeddings` and `getTrackInfos` there is no map (`available` false)
 */
export function catalogueMaps(engine: RecommenderPort): CatalogueMaps {
  let cached: { key: string; map: Promise<CatalogueMap> } | undefined;

  const build = async (e: MapEngine, version: number): Promise<CatalogueMap> => {
    const modelVersion = e.model.metadata.version;
    let count = -1;
    try {
      const { layout } = await cachedLayout(e.indexDir, version, modelVersion, async () => {
        const rows = await e.catalog.embeddings(modelVersion);
        count = rows.length;
        if (rows.length < MIN_MAP_TRACKS) throw new MapTooSmallError(rows.length);
        return { ids: rows.map((r) => r.id), vectors: rows.map((r) => r.embedding) };
      });
      const infos = new Map((await e.catalog.getTrackInfos(layout.ids)).map((t) => [t.id, t]));
      const colouring = autoColouring([...infos.values()]);
      const tracks: MapTrack[] = [];
      layout.ids.forEach((id, i) => {
        const info = infos.get(id);
        const [x, y] = layout.xy[i] ?? [0, 0];
        // A track deleted since the layout was made is left out.
        if (info) {
          const genre = info.genre ?? null;
          const group = colourGroup({ genre, sourcePath: info.sourcePath }, colouring);
          tracks.push({ id, x, y, label: trackName(info), genre, group });
        }
      });
      return { catalogVersion: version, tracks, colouring };
    } catch (error) {
      if (error instanceof RangeError && count >= 0) throw new MapTooSmallError(count);
      throw error;
    }
  };

  const place = (map: CatalogueMap, mark: MapMark | undefined): MapQuery | undefined => {
    if (!mark) return undefined;
    const at = new Map(map.tracks.map((t) => [t.id, [t.x, t.y] as const]));
    const xy = placeQuery(at, mark);
    if (!xy) return undefined;
    return {
      label: mark.label,
      x: xy[0],
      y: xy[1],
      results: mark.results.filter((r) => at.has(r.id)).map(({ id, label }) => ({ id, label })),
    };
  };

  return {
    available: canMap(engine),

    async current() {
      if (!canMap(engine)) throw new Error('this engine gives no catalogue map');
      const version = await engine.catalog.version();
      const key = `${version}:${engine.model.metadata.version}`;
      if (cached?.key === key) return cached.map;
      const map = build(engine, version);
      cached = { key, map };
      // A failed build is not kept: the next request tries again.
      map.catch(() => {
        if (cached?.map === map) cached = undefined;
      });
      return map;
    },

    async png(map, mark) {
      const query = place(map, mark);
      const n = map.tracks.length.toLocaleString('en-US');
      const svg = mapSvg(
        map.tracks.map(({ id, x, y, group }) => ({ id, x, y, genre: group })),
        {
          legend: MAP_LEGENDS[map.colouring],
          title: query
            ? `Where ${query.label} lands among ${n} tracks`
            : `The catalogue: ${n} tracks, similar ones close together`,
          ...(query ? { query } : {}),
        },
      );
      return mapPng(svg);
    },

    view(map, mark) {
      const colours = genreColours(map.tracks.map((t) => ({ genre: t.group })));
      const query = place(map, mark);
      const xs = [...map.tracks.map((t) => t.x), ...(query ? [query.x] : [])];
      const ys = [...map.tracks.map((t) => t.y), ...(query ? [query.y] : [])];
      const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
      // One scale for both axes, so that distances read the same across and down.
      const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0) || 1;
      const [cx, cy] = [
        (1 - (Math.max(...xs) - x0) / span) / 2,
        (1 - (Math.max(...ys) - y0) / span) / 2,
      ];
      const nx = (x: number) => Math.round(((x - x0) / span + cx) * 1e4) / 1e4;
      const ny = (y: number) => Math.round(((y - y0) / span + cy) * 1e4) / 1e4;
      return {
        kind: 'map',
        colouredBy: MAP_LEGENDS[map.colouring].title,
        points: map.tracks.map((t) => ({
          id: t.id,
          x: nx(t.x),
          y: ny(t.y),
          label: t.label,
          genre: t.genre,
          colour: colours.colourOf(t.group),
        })),
        legend: [
          ...colours.top.map((t) => ({ label: t.genre, colour: t.colour, count: t.count })),
          ...(colours.rest > 0
            ? [
                {
                  label: MAP_LEGENDS[map.colouring].other,
                  colour: genreColours([]).colourOf(null),
                  count: colours.rest,
                },
              ]
            : []),
        ],
        ...(query
          ? {
              query: {
                label: query.label,
                x: nx(query.x),
                y: ny(query.y),
                results: query.results,
              },
            }
          : {}),
      };
    },
  };
}
