/**
 * Musly side by side: times the Musly command-line tool (Schnitzer et al., musly.org, MPL-2.0; a
 * peer the project measures itself against) analysing the same files, so that the ingest figures
 * can be put against it on the machine they were taken on. Musly is not a dependency and is not
 * installed here: the caller names a `musly` binary it has built (`--musly BIN`).
 *
 * What is timed: `musly -c COLL -N` (a new collection, Musly's default "timbre" method: MFCCs and
 * one Gaussian per track), then one `musly -c COLL -a DIR` over a folder of symbolic links to the
 * files. Musly's tool analyses a 30 s excerpt of each (its `main.cpp` passes 30 s from the middle,
 * starting no later than 48 s in), one file at a time on one core, decoding with FFmpeg's
 * libraries at 22,050 Hz.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cpuTimes } from './cpu-times.js';

const run = promisify(execFile);

/** What {@link measureMusly} measured. */
export interface MuslyMeasurement {
  /** Files given. */
  readonly tracks: number;
  /** Files Musly reported as analysed ("[OK]"). */
  readonly analysed: number;
  /** Wall clock of `-a`, seconds (the collection's creation not included: ~10 ms). */
  readonly wallS: number;
  /** CPU of the `-a` process, seconds (user + system of the reaped child). */
  readonly cpuS: number;
}

/**
 * Analyses `files` with the Musly binary `musly` into a fresh collection in a temporary folder
 * (removed afterwards) and times it.
 *
 * @param files - absolute paths of audio files (each gets a numbered link in one folder, so equal
 *   names from different folders stay apart)
 * @param musly - path of the `musly` executable
 * @returns counts, wall clock and CPU time
 * @throws Error when the binary cannot be run or exits non-zero (its stderr in the message)
 */
export async function measureMusly(
  files: readonly string[],
  musly: string,
): Promise<MuslyMeasurement> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-musly-'));
  try {
    const dir = path.join(tmp, 'tracks');
    await mkdir(dir);
    await Promise.all(
      files.map((file, i) =>
        symlink(
          path.resolve(file),
          path.join(dir, `${String(i).padStart(6, '0')}-${path.basename(file)}`),
        ),
      ),
    );
    const collection = path.join(tmp, 'collection.musly');
    await run(musly, ['-c', collection, '-N']);
    const cpu0 = cpuTimes();
    const started = performance.now();
    const { stdout } = await run(musly, ['-c', collection, '-a', dir], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallS = (performance.now() - started) / 1000;
    const cpu1 = cpuTimes();
    return {
      tracks: files.length,
      analysed: stdout.split('\n').filter((line) => line.includes('[OK]')).length,
      wallS,
      cpuS: cpu1.childrenS - cpu0.childrenS,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Table rows of a Musly measurement beside ours.
 *
 * @param m - what {@link measureMusly} returned
 * @param oursWallPerTrackS - this project's ingest wall clock per analysed track, seconds
 */
export function muslyRows(m: MuslyMeasurement, oursWallPerTrackS: number): Array<[string, string]> {
  const perTrack = m.wallS / Math.max(1, m.analysed);
  return [
    ['Musly: tracks analysed', `${m.analysed} of ${m.tracks} (one process, one core)`],
    [
      'Musly: wall per track',
      `${perTrack.toFixed(3)} s (CPU ${(m.cpuS / Math.max(1, m.analysed)).toFixed(3)} s)`,
    ],
    [
      '**throughput against Musly** (its wall per track / ours)',
      `**${(perTrack / Math.max(1e-9, oursWallPerTrackS)).toFixed(2)} ×** (target ≥ 2)`,
    ],
  ];
}
