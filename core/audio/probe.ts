/**
 * Container facts from ffmpeg itself (`ffmpeg -hide_banner -i FILE`, whose stderr lists the
 * format, the duration and the streams), so that no ffprobe binary is needed.
 */
import { runProcess } from './process.js';

/** What ffmpeg says about an input before decoding it. */
export interface AudioProbe {
  /**
   * Demuxer name(s) as ffmpeg prints them, e.g. "ogg" or "mov,mp4,m4a,3gp,3g2,mj2"; null when
   * ffmpeg could not open the input at all (not a media file, or damaged beyond reading).
   */
  readonly format: string | null;
  /** Container duration in seconds, or null when the container does not declare one ("N/A"). */
  readonly durationS: number | null;
  /**
   * True when ffmpeg guessed the duration from the bitrate and file size ("Estimating duration
   * from bitrate, this may be inaccurate"), e.g. ADTS AAC, MP3 without a Xing/Info header.
   */
  readonly durationEstimated: boolean;
  /** Number of audio streams. */
  readonly audioStreams: number;
  /** True when there is a real video stream (cover art, "attached pic", does not count). */
  readonly hasVideo: boolean;
  /** The stderr ffmpeg printed (tail), kept for diagnostics. */
  readonly log: string;
}

/**
 * Asks ffmpeg to open `file` and describe it.
 *
 * @param ffmpeg - path of a working ffmpeg binary
 * @param file - absolute path of a local file (opened with the `file:` protocol only)
 * @param signal - aborting kills ffmpeg (SIGKILL) and rejects with `signal.reason`
 * @returns the probe; `format` is null when ffmpeg cannot open the input at all
 */
export async function probeAudio(
  ffmpeg: string,
  file: string,
  signal?: AbortSignal,
): Promise<AudioProbe> {
  const result = await runProcess(
    ffmpeg,
    ['-hide_banner', '-nostdin', '-protocol_whitelist', 'file', '-i', `file:${file}`],
    { signal, maxStdoutBytes: 64 * 1024 },
  );
  // ffmpeg exits 1 here ("At least one output file must be specified"); the stderr is what counts.
  return parseProbeOutput(result.stderr);
}

/**
 * Parses the input description ffmpeg prints to stderr when opening a file.
 *
 * @param stderr - ffmpeg's stderr at log level info (the default), from a probe or a decoding run
 * @returns the probe; `format` null and no streams when there is no "Input #0" section
 */
export function parseProbeOutput(stderr: string): AudioProbe {
  // Only the input block: a decoding run goes on with "Stream mapping:" and the output streams.
  const head = stderr.split(/^(?:Stream mapping:|Output #0)/m)[0] ?? '';
  const input = /^Input #0, (.+?), from /m.exec(head);
  const duration = /Duration: (?:(\d+):(\d{2}):(\d{2}(?:\.\d+)?)|N\/A)/.exec(head);
  let durationS: number | null = null;
  if (duration?.[1] !== undefined && duration[2] !== undefined && duration[3] !== undefined) {
    durationS = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
  }
  let audioStreams = 0;
  let hasVideo = false;
  for (const line of head.split('\n')) {
    const stream = /^\s*Stream #\d+:\d+.*?: (Audio|Video): /.exec(line);
    if (stream?.[1] === 'Audio') audioStreams++;
    else if (stream?.[1] === 'Video' && !line.includes('(attached pic)')) hasVideo = true;
  }
  return {
    format: input?.[1] ?? null,
    durationS,
    durationEstimated: head.includes('Estimating duration from bitrate'),
    audioStreams,
    hasVideo,
    log: stderr,
  };
}
