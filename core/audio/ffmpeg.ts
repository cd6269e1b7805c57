/**
 * Finds the ffmpeg binary the engine decodes with. Order: the `FFMPEG_PATH` environment variable,
 * then the optional npm package `ffmpeg-static` (only if it is installed; it downloads a binary at
 * install time, which fails on offline machines, so it is never a hard dependency), then `ffmpeg`
 * on `PATH`.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { debugFailure } from '../util/debug-log.js';
import { SynestheteError } from '../util/errors.js';
import { runProcess } from './process.js';

/** Where the ffmpeg binary came from. */
export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH';

/** A working ffmpeg binary. */
export interface FfmpegInfo {
  /** Absolute path of the binary (as given, for `FFMPEG_PATH`). */
  readonly path: string;
  /** How it was found. */
  readonly source: FfmpegSource;
  /** Version string from `ffmpeg -version`, e.g. "5.1.6-0+deb12u1" or "6.0-static". */
  readonly version: string;
}

/** One line telling a person how to get ffmpeg. */
export const FFMPEG_INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: `apt-get install ffmpeg`, macOS: `brew install ffmpeg`, ' +
  'Windows: `winget install ffmpeg`), or `npm install ffmpeg-static`, ' +
  'or set FFMPEG_PATH to an ffmpeg binary.';

const VERSION_TIMEOUT_MS = 10_000;
let cached: Promise<FfmpegInfo> | undefined;

/**
 * Locates a working ffmpeg (see the module comment for the order) and runs `ffmpeg -version` once
 * to check it. The result is cached for the life of the process; a failure is not cached.
 *
 * @returns the binary's path, where it came from, and its version
 * @throws SynestheteError `E_FFMPEG_MISSING` when `FFMPEG_PATH` is set but does not run, or no
 *   ffmpeg is found at all; the message says how to install one
 */
export function resolveFfmpeg(): Promise<FfmpegInfo> {
  cached ??= locateFfmpeg().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** Forgets the cached {@link resolveFfmpeg} result (tests, or after changing `FFMPEG_PATH`). */
export function clearFfmpegCache(): void {
  cached = undefined;
}

async function locateFfmpeg(): Promise<FfmpegInfo> {
  const fromEnv = process.env.FFMPEG_PATH?.trim();
  if (fromEnv) {
    const version = await ffmpegVersion(fromEnv);
    if (version !== null) return { path: fromEnv, source: 'FFMPEG_PATH', version };
    throw new SynestheteError(
      'E_FFMPEG_MISSING',
      `FFMPEG_PATH is set to "${fromEnv}", which is not a working ffmpeg binary. ${FFMPEG_INSTALL_HINT}`,
    );
  }
  const fromPackage = await ffmpegStaticPath();
  if (fromPackage !== null) {
    const version = await ffmpegVersion(fromPackage);
    if (version !== null) return { path: fromPackage, source: 'ffmpeg-static', version };
  }
  const fromPath = await findOnPath('ffmpeg');
  if (fromPath !== null) {
    const version = await ffmpegVersion(fromPath);
    if (version !== null) return { path: fromPath, source: 'PATH', version };
  }
  throw new SynestheteError('E_FFMPEG_MISSING', `ffmpeg was not found. ${FFMPEG_INSTALL_HINT}`);
}

/** The binary path exported by the optional `ffmpeg-static` package, or null when not installed. */
async function ffmpegStaticPath(): Promise<string | null> {
  // A computed specifier keeps bundlers and tsc from resolving the optional package.
  const specifier = ['ffmpeg', 'static'].join('-');
  try {
    const mod = (await import(specifier)) as { default?: unknown };
    const value = mod.default;
    return typeof value === 'string' && value.length > 0 ? value : null;
  } catch (error) {
    debugFailure('loading the optional ffmpeg-static package', error);
    return null;
  }
}

/** First executable regular file named `name` in the `PATH` directories, or null. */
async function findOnPath(name: string): Promise<string | null> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d.length > 0);
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of dirs) {
    for (const candidate of names) {
      const full = path.resolve(dir, candidate);
      try {
        await access(full, constants.X_OK);
        if ((await stat(full)).isFile()) return full;
      } catch (error) {
        // Not here (ENOENT) or not executable (EACCES): the next directory of PATH is tried.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          debugFailure(`using ${full}`, error);
      }
    }
  }
  return null;
}

/** Runs `bin -version`; returns the version string, or null when it is not a working ffmpeg. */
async function ffmpegVersion(bin: string): Promise<string | null> {
  try {
    const result = await runProcess(bin, ['-hide_banner', '-version'], {
      signal: AbortSignal.timeout(VERSION_TIMEOUT_MS),
      maxStdoutBytes: 64 * 1024,
    });
    if (result.code !== 0) return null;
    return parseFfmpegVersion(result.stdout.toString('utf8'));
  } catch (error) {
    debugFailure(`running ${bin} -version`, error);
    return null;
  }
}

/**
 * Parses the version from `ffmpeg -version` output ("ffmpeg version 5.1.6-0+deb12u1 Copyright …").
 *
 * @param output - stdout of `ffmpeg -version`
 * @returns the version token, or null when the output is not ffmpeg's
 */
export function parseFfmpegVersion(output: string): string | null {
  const match = /^ffmpeg version (\S+)/m.exec(output);
  return match?.[1] ?? null;
}
