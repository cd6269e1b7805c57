/**
 * The progress bar of long runs started from a terminal (`synesthete ingest`, `synesthete queue`,
 * the demo catalogue `npm start` fills): on stderr, so stdout stays the command's answer.
 */
import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line every few seconds otherwise
 * (CI logs), so long runs always show progress, speed and ETA.
 */
export function progressBar(format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    {
      format,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 30,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
}
