/** `synesthete ingest <dir|file…>`: analyse music into the catalogue. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { INGEST_PROFILES, type IngestProfile } from '../../core/ingest/profile.js';
import { pruneMissing } from '../../core/ingest/prune.js';
import { progressBar } from '../../core/util/progress-bar.js';
import {
  type CommonOptions,
  engineFrom,
  positiveInt,
  printable,
  reportError,
  withCommonOptions,
} from '../common.js';

interface IngestCliOptions extends CommonOptions {
  concurrency?: number;
  force?: boolean;
  json?: boolean;
  followSymlinks?: boolean;
  profile?: IngestProfile;
  prune?: boolean;
  learn?: boolean;
}

/** Registers the command. */
export function registerIngest(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description(
        'add music to the catalogue: read tags, decode, embed, store (incremental by content hash)',
      )
      .argument('<path...>', 'audio files and folders (folders are searched recursively)')
      .option(
        '-j, --concurrency <n>',
        'files analysed at once, each on its own thread (default: CPU cores)',
        positiveInt,
      )
      .option('--force', 're-analyse files even when unchanged')
      .addOption(
        new Option(
          '--profile <name>',
          'full: a 30 s excerpt plus 8 s of every 12 s of the whole track, fingerprinted, so a clip from anywhere is named; fast: the 30 s excerpt only (clips from elsewhere in a track are not identified)',
        )
          .choices(INGEST_PROFILES)
          .default('full'),
      )
      .option(
        '--follow-symlinks',
        'follow symbolic links that lead outside the given folders (default: skip and report them)',
      )
      .option(
        '--prune',
        'also remove the tracks ingested from these folders whose files are gone (a folder that no longer exists is emptied)',
      )
      .option(
        '--no-learn',
        'make no voice-note views (by default up to 400 tracks get one, from which the catalogue learns where a voice note of a song it does not hold belongs)',
      )
      .option('--json', 'print the summary as JSON'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  synesthete ingest ~/Music --catalog postgres://localhost/synesthete',
    )
    .action(async (paths: string[], options: IngestCliOptions) => {
      try {
        const engine = await engineFrom(options);
        const bar = progressBar(
          'ingest |{bar}| {value}/{total} tracks | {speed} tracks/s | ETA {eta_formatted} | {failed} failed',
        );
        const started = performance.now();
        try {
          // Before the ingest, so the indexes built after it already leave the removed tracks out.
          const pruned = options.prune ? (await pruneMissing(engine.catalog, paths)).removed : [];
          for (const file of pruned)
            process.stderr.write(`${printable(`removed ${file}: file gone`)}\n`);
          const present = options.prune ? paths.filter((p) => existsSync(p)) : paths;
          const summary = await engine.ingest(present, {
            ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
            ...(options.force ? { force: true } : {}),
            ...(options.profile ? { profile: options.profile } : {}),
            ...(options.followSymlinks ? { followSymlinks: true } : {}),
            ...(options.learn === false ? { learn: false } : {}),
            onStart: (total) => bar.start(total, 0, { speed: '0.0', failed: 0 }),
            onProgress: ({ done, failed }) =>
              bar.update(done, {
                speed: (done / ((performance.now() - started) / 1000)).toFixed(1),
                failed,
              }),
          });
          bar.stop();
          for (const f of summary.failed)
            process.stderr.write(`${printable(`skipped ${f.file}: ${f.message}`)}\n`);
          for (const f of summary.outside)
            process.stderr.write(
              `${printable(`skipped ${f}: link points outside the given folders`)}\n`,
            );
          for (const s of summary.skipped)
            process.stderr.write(`${printable(`skipped ${s.path}: ${s.reason}`)}\n`);
          const indexes = await engine.indexes();
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ ...summary, ...(options.prune ? { removed: pruned.length } : {}), catalog: engine.catalog.location, indexed: indexes.tracks.size })}\n`,
            );
          } else {
            const perTrack = summary.total ? summary.seconds / summary.total : 0;
            process.stdout.write(
              `${summary.total} files in ${summary.seconds.toFixed(1)} s (${perTrack.toFixed(2)} s per file): ` +
                `${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
                `${summary.reused} reused, ${summary.failed.length} unreadable` +
                `${options.prune ? `, ${pruned.length} removed (files gone)` : ''}\n` +
                `catalogue ${engine.catalog.location}: ${indexes.tracks.size} tracks indexed (${path.relative(process.cwd(), engine.indexDir) || '.'})\n`,
            );
          }
          if (summary.total > 0 && summary.failed.length === summary.total) process.exitCode = 1;
        } finally {
          bar.stop();
          await engine.close();
        }
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
