/**
 * What every CLI command shares: the --catalog/--model options, opening the engine, printing
 * errors as one line, and progress bars.
 */
import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { Engine } from '../core/engine.js';
import { SynestheteError, toSynestheteError } from '../core/util/errors.js';

/** Options every command takes. */
export interface CommonOptions {
  catalog?: string;
  model?: string;
}

/** Adds --catalog and --model to a command. */
export function withCommonOptions(command: Command): Command {
  return command
    .option(
      '--catalog <dir|postgres-url>',
      'catalogue: a PGlite directory or a postgres:// URL (default: $DATABASE_URL, else data/catalog)',
    )
    .option(
      '--model <dir>',
      'model directory (default: $SYNESTHETE_MODEL_DIR, else models/synesthete-cnn)',
    );
}

/**
 * Opens the engine from the common options. Read-only commands pass `mustExist`: a PGlite
 * directory that does not exist is then an error instead of a new, empty catalogue. Commands about
 * to analyse clips pass `prestart` (see `EngineOptions.prestart`), and the clip they will pass
 * to `recommend` first as `firstClip` (analysed while the catalogue opens).
 *
 * @throws SynestheteError E_NOT_FOUND (missing catalogue with `mustExist`), E_MODEL, E_CATALOG
 */
export async function engineFrom(
  options: CommonOptions,
  mustExist = false,
  prestart = false,
  firstClip?: string,
): Promise<Engine> {
  // Loaded on demand: `--help` and argument errors must not pay for tfjs, PGlite and hnswlib.
  const { openEngine } = await import('../core/engine.js');
  if (mustExist) {
    const { parseCatalogLocation } = await import('../core/catalog/location.js');
    const location = parseCatalogLocation(options.catalog);
    if (
      location.kind === 'pglite' &&
      location.dataDir !== undefined &&
      !existsSync(location.dataDir)
    ) {
      throw new SynestheteError(
        'E_NOT_FOUND',
        `no catalogue at ${location.display}: create it with \`synesthete ingest <music folder>${options.catalog ? ` --catalog ${options.catalog}` : ''}\``,
      );
    }
  }
  return openEngine({
    ...(options.catalog !== undefined ? { catalog: options.catalog } : {}),
    ...(options.model !== undefined ? { modelDir: options.model } : {}),
    prestart,
    ...(firstClip !== undefined ? { firstClip } : {}),
  });
}

/**
 * Text fit for one terminal line: every control character (C0, DEL, C1: newlines, tabs, escape
 * sequences' ESC, BEL) becomes "?". File names may hold any of them; printed raw they would split
 * a one-line error or drive the terminal.
 *
 * @param text - a path, file name or message
 * @returns the same text with `\p{Cc}` characters replaced; same length
 */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

/** Prints one line for an error (control characters shown as "?") and returns the exit code (1). */
export function reportError(error: unknown, prefix?: string): number {
  const e = toSynestheteError(error);
  process.stderr.write(`${printable(`error: ${prefix ? `${prefix}: ` : ''}${e.message}`)}\n`);
  if (process.env.SYNESTHETE_DEBUG && e.cause)
    process.stderr.write(`${String((e.cause as Error).stack ?? e.cause)}\n`);
  return 1;
}

/**
 * Parses a positive integer option.
 *
 * @throws InvalidArgumentError (commander's) so that a bad value is one usage-error line, exit 1
 */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return n;
}
