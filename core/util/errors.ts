/**
 * A small coded error hierarchy (after bolt-js `src/errors.ts`): every error the engine throws on
 * purpose is a {@link SynestheteError} with a stable string `code`, a one-line user-facing
 * `message`, and the underlying `cause` when there is one. Adapters and the CLI branch on `code`,
 * never on message text.
 */

/** Stable error codes. Add new ones here; never reuse or rename one. */
export type ErrorCode =
  /** The input has zero bytes. */
  | 'E_INPUT_EMPTY'
  /** The input is larger than the byte cap. */
  | 'E_INPUT_TOO_LARGE'
  /** The input is longer than the duration cap, or too short to analyse. */
  | 'E_INPUT_DURATION'
  /** The input is not audio ffmpeg can decode (not audio, truncated, corrupt, no audio stream). */
  | 'E_DECODE'
  /** Decoding took longer than the decode-time cap and was killed. */
  | 'E_DECODE_TIMEOUT'
  /** No ffmpeg binary could be found. */
  | 'E_FFMPEG_MISSING'
  /** A file or catalogue track that was asked for does not exist. */
  | 'E_NOT_FOUND'
  /** A file or folder cannot be read or written: permissions, or a read-only file system. */
  | 'E_PERMISSION'
  /** The model files are missing, malformed, or disagree with each other. */
  | 'E_MODEL'
  /** The catalogue database could not be opened, migrated or queried. */
  | 'E_CATALOG'
  /** The catalogue is empty or its index is unusable. */
  | 'E_EMPTY_CATALOG'
  /** A configuration value (option or environment variable) is missing or invalid. */
  | 'E_CONFIG'
  /** Anything else: a bug. */
  | 'E_INTERNAL';

/** Base class of every error the engine throws on purpose. */
export class SynestheteError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  /**
   * @param code - stable code, see {@link ErrorCode}
   * @param message - one line, written for the person who sent the input
   * @param options - `cause`: the underlying error, kept for logs
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynestheteError';
    this.code = code;
  }
}

/**
 * Converts anything thrown into a {@link SynestheteError}; a SynestheteError is returned as is, a
 * file system error becomes a one-line message saying what to do (`E_PERMISSION` for EACCES,
 * EPERM and EROFS, `E_NOT_FOUND` for ENOENT), anything else `E_INTERNAL`, with the original kept
 * as `cause`.
 *
 * @param error - the value that was thrown
 * @returns a coded error; never throws
 */
export function toSynestheteError(error: unknown): SynestheteError {
  if (error instanceof SynestheteError) return error;
  const fileError = fromFileSystemError(error);
  if (fileError) return fileError;
  const message = error instanceof Error ? error.message : String(error);
  return new SynestheteError('E_INTERNAL', `internal error: ${message}`, { cause: error });
}

/** A Node file system error (`code` and `path`) as a coded error, or null for anything else. */
function fromFileSystemError(error: unknown): SynestheteError | null {
  if (!(error instanceof Error)) return null;
  const { code, path } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof path !== 'string') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const where = path.replace(/[\u0000-\u001f\u007f]/g, '');
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new SynestheteError(
        'E_PERMISSION',
        `permission denied: ${where}; make it readable (and writable, for a catalogue) by this user, or run as its owner`,
        { cause: error },
      );
    case 'EROFS':
      return new SynestheteError(
        'E_PERMISSION',
        `read-only file system: ${where}; choose a writable location`,
        { cause: error },
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new SynestheteError('E_NOT_FOUND', `no such file or folder: ${where}`, {
        cause: error,
      });
    default:
      return null;
  }
}

/** True when `error` is a {@link SynestheteError} with the given code. */
export function hasCode(error: unknown, code: ErrorCode): error is SynestheteError {
  return error instanceof SynestheteError && error.code === code;
}
