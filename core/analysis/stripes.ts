/**
 * The stripes of a catalogue track (see `AnalyzeOptions.stripes`): `lengthS` seconds centred in
 * every `periodS` seconds of the whole source, for its landmark fingerprint, more CNN windows,
 * and (at 44,100 Hz) the timbre and the model's spectrogram from one STFT.
 *
 * A file's stripes are decoded and analysed one at a time: each stripe's PCM is dropped once its
 * spectrogram, timbre statistics and fingerprint have been taken, so that an analysis holds one
 * stripe (8 s at 44,100 Hz: 1.4 MB) instead of all of them (up to {@link STRIPES_MAX_S}, ~106 MB).
 * Each stripe is one decode from its start (the decoder seeks there, as it does for each segment
 * of one decode), and the fingerprint of stretches is the join of theirs, so the results are
 * those of one decode of all stripes. Bytes and live PCM are decoded in one piece, as before.
 *
 * @module
 */
import type { DecodedAudio, DecodeOptions } from '../audio/decode.js';
import type { PcmAudio } from '../audio/pcm-input.js';
import { planSegments } from '../audio/segment-plan.js';
import { computeLogMel, type LogMelSpectrogram } from '../features/log-mel.js';
import type { LogMelParams } from '../features/log-mel-params.js';
import { type TonalityChroma, tonalityChroma } from '../features/tonality.js';
import { wideBandSpectra } from '../features/wide-band.js';
import { type FingerprintWithChroma, joinFingerprints } from '../fingerprint/fingerprint.js';
import { fingerprintOffThread } from '../fingerprint/off-thread.js';
import { SynestheteError } from '../util/errors.js';
import { decodeInput } from './decode-input.js';

/** Stripes of a source decoded for its fingerprint (see `AnalyzeOptions.stripes`). */
export interface StripePlan {
  /** Seconds of each stripe (> 0). */
  readonly lengthS: number;
  /** Seconds from one stripe's start to the next (≥ `lengthS`). */
  readonly periodS: number;
}

/**
 * Most seconds of stripes decoded from one source (see `AnalyzeOptions.stripes`): all of a track
 * up to 15 minutes at 8 s of every 12, sparser beyond.
 */
export const STRIPES_MAX_S = 600;

/** What the stripes of a source give the analysis. */
export interface StripeAnalysis {
  /** The model's log-mel spectrogram of each stripe, in source order. */
  readonly logMels: LogMelSpectrogram[];
  /**
   * Each stripe's timbre statistics (MFCC means, `TIMBRE_SIZE`) and frame count, when the stripes
   * were decoded at the timbre statistics' rate with `wideBand`; else empty.
   */
  readonly timbreParts: Array<{ readonly timbre: Float32Array; readonly frames: number }>;
  /** The stripes' landmark fingerprint (and their chroma when asked), when `fingerprint`. */
  readonly fingerprint?: Promise<FingerprintWithChroma>;
  /** Each stripe's tonality chroma, when `chroma` without `fingerprint` (else in the fingerprint). */
  readonly chroma: TonalityChroma[];
}

/** What to take from each stripe. */
export interface StripeOptions {
  /** The stripes' sample rate, Hz. */
  readonly sampleRate: number;
  /** The model's spectrogram parameters. */
  readonly features: LogMelParams;
  /**
   * The model's spectrogram and the timbre statistics from one STFT of each stripe
   * (`wideBandSpectra`; `sampleRate` must be the timbre statistics' 44,100 Hz); false: the model's
   * spectrogram alone (`computeLogMel` at `sampleRate`, which must then be the model's).
   */
  readonly wideBand: boolean;
  /** Fingerprint the stripes (on the second core when it runs). */
  readonly fingerprint: boolean;
  /** Each stripe's tonality chroma too (in the fingerprint when `fingerprint`). */
  readonly chroma: boolean;
}

/**
 * How many stripes a source of `durationS` seconds gets, and how many seconds of them.
 *
 * @param durationS - the source's duration, seconds (> 0)
 * @param plan - the stripe plan
 * @returns `count` stripes (≥ 1) and `maxAnalysedS` seconds in all (≤ `durationS`, ≤
 *   {@link STRIPES_MAX_S})
 */
export function stripeCount(
  durationS: number,
  plan: StripePlan,
): { readonly count: number; readonly maxAnalysedS: number } {
  const count = Math.max(
    1,
    Math.min(Math.ceil(durationS / plan.periodS), Math.floor(STRIPES_MAX_S / plan.lengthS)),
  );
  return { count, maxAnalysedS: Math.min(durationS, count * plan.lengthS) };
}

/**
 * Decodes and analyses the stripes of `plan` over a source whose excerpt was decoded.
 *
 * @param input - the source: a path (decoded stripe by stripe), bytes or live PCM (in one piece)
 * @param decodeOptions - the analysis's decode caps (sample rate, segments and start are set here)
 * @param excerpt - the excerpt decoded before (its source duration decides the stripes)
 * @param plan - the stripe plan, or undefined for none
 * @param options - what to take from each stripe
 * @returns the stripes' analysis; undefined without a plan, or when the excerpt already holds the
 *   whole source (as far as the container says: a source that declares no duration is
 *   fingerprinted from its excerpt alone)
 * @throws SynestheteError from decoding (see `decodeAudio`): a stripe that cannot be decoded
 *   fails the analysis, as one decode of all of them would
 */
export async function analyseStripes(
  input: string | Uint8Array | PcmAudio,
  decodeOptions: Omit<DecodeOptions, 'sampleRate'>,
  excerpt: DecodedAudio,
  plan: StripePlan | undefined,
  options: StripeOptions,
): Promise<StripeAnalysis | undefined> {
  if (!plan) return undefined;
  const durationS = excerpt.sourceDurationS;
  if (excerpt.pcm.length / excerpt.sampleRate >= durationS - 0.5) return undefined;
  const { count, maxAnalysedS } = stripeCount(durationS, plan);
  const { sampleRate, features } = options;
  const logMels: LogMelSpectrogram[] = [];
  const timbreParts: Array<{ timbre: Float32Array; frames: number }> = [];
  const chroma: TonalityChroma[] = [];
  const prints: Promise<FingerprintWithChroma>[] = [];
  const visit = (pcm: Float32Array, sourceStartS: number): void => {
    if (pcm.length === 0) return;
    if (options.wideBand) {
      const spectra = wideBandSpectra(pcm, features);
      if (!spectra.logMel) {
        throw new SynestheteError(
          'E_INTERNAL',
          'internal error: wide-band stripes need a model spectrogram derivable from 44,100 Hz',
        );
      }
      logMels.push(spectra.logMel);
      timbreParts.push({ timbre: spectra.timbre, frames: spectra.logMel.frames });
    } else {
      logMels.push(computeLogMel(pcm, features));
    }
    if (options.fingerprint) {
      const printed = fingerprintOffThread(
        pcm,
        sampleRate,
        [{ offset: 0, length: pcm.length, sourceStartS }],
        { chroma: options.chroma },
      );
      printed.catch(() => undefined); // awaited with the others
      prints.push(printed);
    } else if (options.chroma) {
      chroma.push(tonalityChroma({ pcm, sampleRate }));
    }
  };
  if (typeof input === 'string') {
    // The spans one decode of `count` segments would take (core/audio/segment-plan.ts).
    for (const span of planSegments(durationS, maxAnalysedS, count)) {
      const stripe = await decodeInput(input, {
        ...decodeOptions,
        sampleRate,
        startS: span.startS,
        maxAnalysedS: span.lengthS,
        segments: 1,
        minDurationS: 0,
      });
      visit(stripe.pcm, stripe.segments[0]?.sourceStartS ?? span.startS);
    }
  } else {
    const all = await decodeInput(input, {
      ...decodeOptions,
      sampleRate,
      maxAnalysedS,
      segments: count,
    });
    for (const s of all.segments)
      visit(all.pcm.subarray(s.offset, s.offset + s.length), s.sourceStartS);
  }
  return {
    logMels,
    timbreParts,
    chroma,
    ...(options.fingerprint ? { fingerprint: Promise.all(prints).then(joinFingerprints) } : {}),
  };
}
