/**
 * One recording in, everything the engine needs out: decode → log-mel spectrogram per segment →
 * CNN embeddings → descriptors. Shared by ingest (catalogue tracks) and recommend (clips).
 */
import { decimateByTwo } from '../audio/decimate.js';
import type { DecodedAudio, DecodeOptions } from '../audio/decode.js';
import { halveSampleRate } from '../audio/half-band.js';
import type { PcmAudio } from '../audio/pcm-input.js';
import { resamplePcm } from '../audio/resample.js';
import { clipToUnitRange } from '../dsp/clip.js';
import { clipStatistics } from '../features/clip-statistics.js';
import { type Descriptors, loudnessDbfs, withTempo } from '../features/descriptors.js';
import { computeLogMel, derivableLogMel, type LogMelSpectrogram } from '../features/log-mel.js';
import { styleStatistics } from '../features/style.js';
import { estimateTempo, OnsetAccumulator, onsetEnvelope } from '../features/tempo.js';
import { TIMBRE_PARAMS, timbreStatistics } from '../features/timbre.js';
import {
  type TonalitySegment,
  tonalityChroma,
  tonalityStatisticsOfChroma,
} from '../features/tonality.js';
import { type WideBandSpectra, wideBandSpectra } from '../features/wide-band.js';
import type { Fingerprint, FingerprintWithChroma } from '../fingerprint/fingerprint.js';
import {
  clipStatisticsOffThread,
  fingerprintOffThread,
  spectralDescriptorsOffThread,
} from '../fingerprint/off-thread.js';
import { FINGERPRINT_PARAMS } from '../fingerprint/params.js';
import {
  DEFAULT_MAX_WINDOWS,
  type EmbeddingModel,
  type TrackEmbedding,
} from '../model/embedder.js';
import { fuseEmbedding } from '../model/fusion.js';
import { judgeMusic, judgeSilence, type MusicVerdict } from '../model/music-gate.js';
import { decodeInput } from './decode-input.js';
import { analyseStripes, type StripeAnalysis, type StripePlan } from './stripes.js';

export { STRIPES_MAX_S, type StripePlan } from './stripes.js';

/** The analysis of one recording. */
export interface Analysis {
  /** CNN embeddings: pooled (similarity) and per window (identification). */
  readonly embedding: TrackEmbedding;
  /**
   * The vector catalogue similarity compares: with `timbre` and a model with fusion parameters,
   * the CNN embedding fused with full-band timbre statistics; else the CNN part alone, padded with
   * zeros to the same length (see core/model/fusion.ts).
   */
  readonly vector: Float32Array;
  readonly descriptors: Descriptors;
  /** Duration of the whole source in seconds (container duration, or decoded length). */
  readonly sourceDurationS: number;
  /** Seconds of audio actually analysed (≤ the decode cap). */
  readonly analysedS: number;
  /** RMS level of all analysed audio in dBFS, floored at −120. */
  readonly loudnessDb: number;
  /**
   * The log-mel spectrogram of the first analysed segment: what the model saw first (for the
   * picture chat adapters show). `frames × nMels`, natural-log mel power.
   */
  readonly spectrogram: LogMelSpectrogram;
  /**
   * The music gate's verdict (core/model/music-gate.ts), for a clip (`query`) only; for a model
   * without a fitted gate only silence is judged, and the field is absent for a clip loud enough
   * to search.
   */
  readonly music?: MusicVerdict;
  /**
   * Landmark fingerprint (core/fingerprint/) of the analysed audio — of the whole source for a
   * catalogue track (see {@link FINGERPRINT_MAX_S}) — when asked for with `fingerprint`.
   */
  readonly fingerprint?: Fingerprint;
}

/** Caps and limits for {@link analyzeAudio}; sample rate comes from the model. */
export type AnalyzeOptions = Omit<DecodeOptions, 'sampleRate'> & {
  /** Most CNN windows embedded (spread over the whole analysed audio). */
  readonly maxWindows?: number;
  /**
   * Cut windows as a clip to be searched for: every `window.queryHopFrames` frames of the model's
   * metadata, up to 64 windows (default false: catalogue windows, `window.hopFrames` apart).
   */
  readonly query?: boolean;
  /** Also compute full-band timbre statistics (catalogue tracks; not clips). Default false. */
  readonly timbre?: boolean;
  /**
   * Also compute the landmark fingerprint (default false). For a catalogue track (not `query`)
   * it covers the whole source up to {@link FINGERPRINT_MAX_S}, decoding it again when the
   * analysed audio is only a sample of it.
   */
  readonly fingerprint?: boolean;
  /**
   * Analyse one excerpt instead (the fast ingest profile, core/ingest/profile.ts): `maxAnalysedS`
   * seconds from this many seconds into the source, decoded once — at the timbre statistics'
   * 44,100 Hz when `timbre` is set, then resampled in process for the model — with the timbre
   * statistics and the fingerprint taken from that same excerpt rather than from decodes of
   * their own. Default: undefined (the full analysis).
   */
  readonly excerptStartS?: number;
  /**
   * With `excerptStartS`: also decode stripes spread over the whole source — `lengthS` seconds
   * centred in every `periodS` seconds (core/audio/segment-plan.ts), at the excerpt's rate — for
   * the landmark fingerprint, more CNN windows and, when decoded at 44,100 Hz, the timbre and
   * style statistics of all of the track, so that a clip from any moment of it meets at least
   * `lengthS − (periodS − clip length)` seconds of fingerprinted audio. The excerpt alone gives
   * the descriptors and the tempo. A source no longer than the excerpt is analysed from the
   * excerpt alone. Default: undefined (the excerpt only).
   */
  readonly stripes?: StripePlan;
};

/**
 * Longest stretch of a catalogue track that is fingerprinted, seconds (30 min; a longer source is
 * fingerprinted in 6 segments spread over it). A clip can only be identified from a part of its
 * track that was fingerprinted.
 */
export const FINGERPRINT_MAX_S = 1800;

/** Seconds of full-band audio (spread over the recording) the timbre statistics are computed on. */
const TIMBRE_SECONDS = 60;

/** Windows of a clip (64 windows 16 frames apart cover 26 s; longer clips are sampled). */
export const QUERY_MAX_WINDOWS = 64;

/**
 * Decode caps of a catalogue track under which an ingest profile (core/ingest/profile.ts) sets its
 * excerpt and stripes; alone (training's held-out evaluation), up to 6 minutes (longer tracks in
 * 6 segments spread over the whole track), cut into windows every `window.hopFrames` (240
 * windows of 64 hops of 512 samples at 22,050 Hz ≈ 357 s).
 */
export const CATALOG_ANALYSIS = { maxAnalysedS: 360, segments: 6, maxWindows: 240 } as const;

/** Descriptors are computed on at most this many seconds (the middle of the analysed audio). */
const DESCRIPTOR_SECONDS = 60;

/**
 * The landmark fingerprint of a recording: of the decoded audio when that is the whole source (a
 * clip, or a catalogue track no longer than the analysis cap), else of the whole source decoded
 * again at the fingerprint's rate (up to {@link FINGERPRINT_MAX_S}, in 6 segments).
 */
async function fingerprintOf(
  input: string | Uint8Array | PcmAudio,
  decoded: DecodedAudio,
  /** Fingerprint the decoded audio as it is (a clip, or an excerpt), never decoding again. */
  asDecoded: boolean,
  decodeOptions: Omit<DecodeOptions, 'sampleRate'>,
  sampleRate: number,
): Promise<Fingerprint> {
  const whole =
    asDecoded ||
    (decoded.segments.length === 1 &&
      decoded.pcm.length / sampleRate >= decoded.sourceDurationS - 0.5);
  const source = whole
    ? decoded
    : await decodeInput(input, {
        ...decodeOptions,
        sampleRate: FINGERPRINT_PARAMS.sampleRate,
        maxAnalysedS: FINGERPRINT_MAX_S,
        segments: 6,
      });
  return fingerprintOffThread(source.pcm, source.sampleRate, source.segments);
}

/**
 * One excerpt decoded once (see `AnalyzeOptions.excerptStartS`): at `wideRate` (the timbre
 * statistics' rate) when `wideRate` is set, and resampled in process to `sampleRate` — by `halve`
 * when `wideRate` is twice `sampleRate`.
 *
 * @returns the model-rate audio, and the wide-band PCM when it was decoded
 */
async function decodeExcerpt(
  input: string | Uint8Array | PcmAudio,
  options: Omit<DecodeOptions, 'sampleRate'>,
  startS: number,
  sampleRate: number,
  wideRate: number | undefined,
  halve: (pcm: Float32Array) => Float32Array,
): Promise<{ decoded: DecodedAudio; wide?: Float32Array }> {
  // Only the stretch around the excerpt is read (the decoder seeks to it).
  const excerpt = { ...options, startS, segments: 1 };
  if (wideRate === undefined)
    return { decoded: await decodeInput(input, { ...excerpt, sampleRate }) };
  const wide = await decodeInput(input, { ...excerpt, sampleRate: wideRate });
  const pcm =
    wideRate === 2 * sampleRate ? halve(wide.pcm) : resamplePcm(wide.pcm, wideRate, sampleRate);
  clipToUnitRange(pcm);
  const first = wide.segments[0];
  const decoded: DecodedAudio = {
    pcm,
    sampleRate,
    sourceDurationS: wide.sourceDurationS,
    segments: first ? [{ sourceStartS: first.sourceStartS, offset: 0, length: pcm.length }] : [],
    decodedBy: wide.decodedBy,
  };
  return { decoded, wide: wide.pcm };
}

/**
 * The timbre statistics of several stretches as one: MFCC means are linear in the frames' log-mel
 * values, so the frame-weighted mean of each stretch's means is the mean over all their frames.
 *
 * @param parts - each stretch's `timbreOfLogMel` result and its frame count (> 0 in all)
 * @returns the MFCC means over every frame (`TIMBRE_SIZE` of them)
 */
function pooledTimbre(
  parts: ReadonlyArray<{ readonly timbre: Float32Array; readonly frames: number }>,
): Float32Array {
  const total = parts.reduce((n, p) => n + p.frames, 0);
  const mean = new Float32Array(parts[0]?.timbre.length ?? 0);
  for (const p of parts) {
    for (let i = 0; i < mean.length; i++) mean[i]! += (p.timbre[i]! * p.frames) / total;
  }
  return mean;
}

/**
 * Analyses a file path, the bytes of an audio file, or mono PCM (live capture).
 *
 * @param input - path, or the file's bytes (any container ffmpeg reads), or {@link PcmAudio}
 * @param model - the loaded embedding model (its metadata gives sample rate and mel parameters)
 * @param options - byte, duration and time caps (see {@link DecodeOptions})
 * @throws SynestheteError from decoding: E_INPUT_EMPTY, E_INPUT_TOO_LARGE, E_INPUT_DURATION,
 *   E_DECODE, E_DECODE_TIMEOUT, E_NOT_FOUND, E_FFMPEG_MISSING
 */
export async function analyzeAudio(
  input: string | Uint8Array | PcmAudio,
  model: EmbeddingModel,
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const { features } = model.metadata;
  const {
    query = false,
    maxWindows = query ? QUERY_MAX_WINDOWS : DEFAULT_MAX_WINDOWS,
    timbre: withTimbre = false,
    fingerprint: withFingerprint = false,
    excerptStartS,
    stripes: stripePlan,
    ...decodeOptions
  } = options;
  const fusion = model.metadata.fusion;
  let decoded: DecodedAudio;
  let timbre: Float32Array | undefined;
  /** The model's spectrogram and the onset envelope, when taken from the wide-band STFT. */
  let wideBand: WideBandSpectra | undefined;
  /** What the stripes over the whole source (`stripes`) gave, when they were decoded. */
  let stripes: StripeAnalysis | undefined;
  if (excerptStartS !== undefined) {
    const wideRate = fusion && withTimbre ? TIMBRE_PARAMS.sampleRate : undefined;
    // 44,100 → 22,050 Hz. When the model's spectrogram will come from the wide-band STFT, the
    // halved audio only feeds the descriptors and the fingerprint: the half-band filter
    // (core/audio/half-band.ts, 13 multiplies an output); else libswresample's own filter at half
    // its cost (core/audio/decimate.ts, 34).
    const halve = derivableLogMel(features, TIMBRE_PARAMS) ? halveSampleRate : decimateByTwo;
    const excerpt = await decodeExcerpt(
      input,
      decodeOptions,
      excerptStartS,
      features.sampleRate,
      wideRate,
      halve,
    );
    decoded = excerpt.decoded;
    // One STFT of the 44,100 Hz excerpt gives the timbre statistics, the model's spectrogram and
    // the onset envelope (core/features/wide-band.ts).
    wideBand = excerpt.wide ? wideBandSpectra(excerpt.wide, features) : undefined;
    timbre = wideBand?.timbre;
    // Stripes are decoded at the excerpt's rate: at 44,100 Hz their STFT gives the timbre
    // statistics over them too, and the model's spectrogram, as the excerpt's does. Their
    // fingerprint's 11,025 Hz audio gives their tonality chroma (the same frames and bins as at
    // 44,100 Hz, from a quarter of the samples; core/features/tonality.ts).
    // (A wide-band spectrogram exists only for 44,100 Hz audio the model's spectrogram derives from.)
    const wideStripes = wideBand?.logMel !== undefined;
    stripes = await analyseStripes(input, decodeOptions, decoded, stripePlan, {
      sampleRate: wideStripes ? TIMBRE_PARAMS.sampleRate : features.sampleRate,
      features,
      wideBand: wideStripes,
      fingerprint: withFingerprint,
      chroma: fusion?.style !== undefined && !!fusion.tonality,
    });
    if (wideBand?.logMel && stripes && stripes.timbreParts.length > 0) {
      timbre = pooledTimbre([
        { timbre: wideBand.timbre, frames: wideBand.logMel.frames },
        ...stripes.timbreParts,
      ]);
    }
  } else {
    [decoded, timbre] = await Promise.all([
      decodeInput(input, { ...decodeOptions, sampleRate: features.sampleRate }),
      fusion && withTimbre
        ? decodeInput(input, {
            ...decodeOptions,
            sampleRate: TIMBRE_PARAMS.sampleRate,
            maxAnalysedS: Math.min(TIMBRE_SECONDS, decodeOptions.maxAnalysedS ?? TIMBRE_SECONDS),
            segments: 3,
          }).then((d) => timbreStatistics(d.pcm))
        : undefined,
    ]);
  }
  // The fingerprint starts first, on the second core (core/fingerprint/off-thread.ts), then the
  // spectral half of the descriptors, while this thread computes the spectrogram, the CNN
  // embedding, the tempo and the music gate's verdict. An excerpt is fingerprinted as decoded
  // (only it can then be identified); stripes were fingerprinted as they were decoded.
  const fingerprinting: Promise<FingerprintWithChroma> | undefined = !withFingerprint
    ? undefined
    : (stripes?.fingerprint ??
      fingerprintOf(
        input,
        decoded,
        query || excerptStartS !== undefined,
        decodeOptions,
        features.sampleRate,
      ));
  fingerprinting?.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  const descriptorSamples = Math.min(decoded.pcm.length, DESCRIPTOR_SECONDS * features.sampleRate);
  const from = Math.floor((decoded.pcm.length - descriptorSamples) / 2);
  const descriptorPcm = decoded.pcm.subarray(from, from + descriptorSamples);
  // When the descriptors cover exactly the one analysed segment, their onset envelope comes from
  // the log-mel spectrogram's own STFT (same frames; see OnsetAccumulator) instead of a second one;
  // for an excerpt decoded wide-band, both already came from its 44,100 Hz STFT.
  const only = decoded.segments.length === 1 ? decoded.segments[0] : undefined;
  const coversOnly =
    only !== undefined && only.offset === from && only.length === descriptorSamples;
  // The tonality statistics read the PCM itself: the excerpt's (or the clip's), and the stripes'
  // as they were analysed (from the fingerprint's audio where they were fingerprinted). Where the
  // descriptors cover the one segment, its tonality chroma comes from their STFT (the same 186 ms
  // frames) instead of a second one.
  const tonalitySegments: TonalitySegment[] | undefined =
    fusion?.style && fusion.tonality
      ? decoded.segments.map((s) => ({
          pcm: decoded.pcm.subarray(s.offset, s.offset + s.length),
          sampleRate: decoded.sampleRate,
        }))
      : undefined;
  const tonalityFromDescriptors =
    tonalitySegments !== undefined && coversOnly && decoded.sampleRate === features.sampleRate;
  // The spectral flatness is not computed, for a clip or a catalogue track: no reason, summary or
  // ranking reads it, and it costs one logarithm per bin and frame (~9 ms of a 30 s excerpt).
  const spectral = spectralDescriptorsOffThread(
    descriptorPcm,
    features.sampleRate,
    false,
    tonalityFromDescriptors,
  );
  spectral.catch(() => undefined); // awaited below
  const wideLogMel = only ? wideBand?.logMel : undefined;
  const onset =
    coversOnly && !wideLogMel
      ? new OnsetAccumulator(features.sampleRate, descriptorSamples)
      : undefined;
  const shareStft = onset?.nFft === features.nFft && onset.hopLength === features.hopLength;
  const spectrograms = wideLogMel
    ? [wideLogMel]
    : decoded.segments.map((s) =>
        computeLogMel(
          decoded.pcm.subarray(s.offset, s.offset + s.length),
          features,
          shareStft ? onset : undefined,
        ),
      );
  // The stripes add windows from the whole track to the excerpt's (the excerpt's spectrogram stays
  // first: it is the one the chat adapters picture).
  const stripeSpectrograms = stripes?.logMels ?? [];
  // A clip's style statistics and the gate's descriptors come from the second core while this
  // thread runs the CNN (core/fingerprint/off-thread.ts).
  const gate = model.metadata.musicGate;
  const framesPerSecond = features.sampleRate / features.hopLength;
  const wanted = {
    style: fusion?.style !== undefined || gate?.style !== undefined,
    gate: gate?.descriptors !== undefined,
  };
  const clipStats =
    query && stripeSpectrograms.length === 0 && (wanted.style || wanted.gate)
      ? clipStatisticsOffThread(spectrograms, features.nMels, framesPerSecond, wanted)
      : undefined;
  clipStats?.catch(() => undefined); // awaited below
  const embedding = model.embedSpectrograms(
    [...spectrograms, ...stripeSpectrograms],
    maxWindows,
    query ? model.metadata.window.queryHopFrames : undefined,
  );
  const tempo = estimateTempo(
    wideLogMel && coversOnly && wideBand?.onset
      ? wideBand.onset
      : shareStft && onset
        ? onset.result()
        : onsetEnvelope(descriptorPcm, features.sampleRate),
  );
  // Otherwise the tonality chroma is computed here, after the CNN: the second core is still busy
  // with the fingerprint, the descriptors and the clip's style statistics.
  const ownChroma = tonalityFromDescriptors ? undefined : tonalitySegments?.map(tonalityChroma);
  // The style statistics, for a model that fuses them, come from the same spectrograms as the
  // CNN's windows, for a clip as for a catalogue track (with stripes: the excerpt's and theirs).
  const stats = await clipStats;
  const printed = await fingerprinting;
  // On the second core the descriptors come before the clip's statistics: ready by now.
  const spectralPart = await spectral;
  const segmentChroma = tonalityFromDescriptors
    ? spectralPart.tonalityChroma && [spectralPart.tonalityChroma]
    : ownChroma;
  const tonality = segmentChroma
    ? tonalityStatisticsOfChroma([...segmentChroma, ...(printed?.chroma ?? stripes?.chroma ?? [])])
    : null;
  const style = fusion?.style
    ? (stats?.style ?? styleStatistics([...spectrograms, ...stripeSpectrograms]))
    : null;
  const vector = fusion
    ? fuseEmbedding(embedding.embedding, timbre ?? null, fusion, style, tonality)
    : embedding.embedding;
  // A clip's gate needs it before the descriptors are awaited from the worker: measured here.
  // Where the descriptors cover all of the PCM (clips and excerpts up to 60 s), theirs is the same
  // number, and a catalogue track takes that one instead of summing 30 s of squares twice (~1 ms).
  const descriptorsCoverAll = descriptorSamples === decoded.pcm.length;
  const measuredDb = query || !descriptorsCoverAll ? loudnessDbfs(decoded.pcm) : undefined;
  // Only a clip is judged: nothing reads a catalogue track's verdict (its speech/music
  // descriptors cost ~15 ms of a 30 s excerpt's analysis).
  const verdict =
    !query || measuredDb === undefined
      ? undefined
      : gate
        ? judgeMusic(
            embedding.windowEmbeddings,
            embedding.windowCount,
            measuredDb,
            gate,
            gate.descriptors
              ? (stats?.gate ??
                  clipStatistics(spectrograms, features.nMels, framesPerSecond, {
                    style: false,
                    gate: true,
                  }).gate!)
              : undefined,
            gate.style ? (style ?? stats?.style ?? styleStatistics(spectrograms)) : undefined,
          )
        : judgeSilence(measuredDb);
  const descriptors = withTempo(spectralPart, tempo);
  const loudnessDb = measuredDb ?? spectralPart.loudnessDb;
  // The chroma stays here: the fingerprint is stored, the chroma only fed the statistics above.
  const fingerprint: Fingerprint | undefined = printed
    ? {
        hashes: printed.hashes,
        times: printed.times,
        peakCount: printed.peakCount,
        seconds: printed.seconds,
      }
    : undefined;
  return {
    embedding,
    vector,
    descriptors,
    sourceDurationS: decoded.sourceDurationS,
    analysedS: decoded.pcm.length / features.sampleRate,
    loudnessDb,
    spectrogram: spectrograms[0] ?? { data: new Float32Array(0), frames: 0, nMels: features.nMels },
    ...(verdict ? { music: verdict } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  };
}
