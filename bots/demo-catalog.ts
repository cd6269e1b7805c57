/**
 * A fresh checkout's catalogue is empty; `npm start` fills it with the bundled demo tracks
 * (data/demo/tracks, 36 × 30 s, see data/demo/ATTRIBUTION.md) so that the bot answers at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../core/engine.js';
import { packageRoot } from '../core/util/paths.js';
import { progressBar } from '../core/util/progress-bar.js';

/** The bundled demo tracks. */
export function demoTracksDir(): string {
  return path.join(packageRoot(), 'data', 'demo', 'tracks');
}

/**
 * Ingests the demo tracks when the catalogue has no track at all (a catalogue with tracks, even
 * stale ones, is the operator's and is left alone), with a progress bar on stderr.
 *
 * @param engine - the opened engine
 * @param log - where the one-line notes go
 * @returns the number of tracks the catalogue holds for the current model afterwards
 * @throws SynestheteError `E_CATALOG` when the catalogue cannot be read or written
 */
export async function ensureCatalogue(
  engine: Engine,
  log: (line: string) => void,
): Promise<number> {
  const version = engine.model.metadata.version;
  if ((await engine.catalog.count()) === 0) {
    const dir = demoTracksDir();
    if (!existsSync(dir)) {
      log(
        `the catalogue is empty and ${dir} is missing: add music with \`synesthete ingest <folder>\``,
      );
      return 0;
    }
    log(
      `the catalogue is empty: adding the demo tracks of ${path.relative(process.cwd(), dir) || dir}`,
    );
    const bar = progressBar('demo catalogue |{bar}| {value}/{total} tracks | ETA {eta_formatted}');
    try {
      await engine.ingest([dir], {
        onStart: (total) => bar.start(total, 0),
        onProgress: ({ done }) => bar.update(done),
      });
    } finally {
      bar.stop();
    }
  }
  const { current, stale } = await engine.catalog.countByModelVersion(version);
  if (stale > 0) {
    log(
      `${stale} catalogue tracks were analysed by another model version: run \`synesthete ingest --force <folder>\``,
    );
  }
  return current;
}
