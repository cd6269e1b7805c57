/**
 * Clip-level descriptors that tell music from speech and noise, after E. Scheirer & M. Slaney,
 * "Construction and evaluation of a robust multifeature speech/music discriminator" (ICASSP 1997):
 * 4 Hz modulation energy, the share of low-energy frames, spectral flux and its variation, plus
 * spectral flatness (Wiener entropy; J. D. Johnston, IEEE JSAC 1988), a beat-strength measure
 * (peak of the onset envelope's autocorrelation, as in G. Tzanetakis & P. Cook, IEEE TSAP 2002),
 * the spread of the spectral centroid, spectral stationarity and the variation of each band over
 * time; then descriptors of tonality and pulse that tell music from environmental sound (animals,
 * engines, rain, household noises): how long spectral peaks hold their band (sustained pitches),
 * how peaked frames and the clip's mean spectrum are (notes of a key recur; noise and most events
 * give smooth spectra), and how regular and salient the onset envelope's periodicity is (a beat
 * repeats at one and two periods; barking or footsteps do not). All are computed on the log-mel
 * spectrogram the model sees and none depends on the clip's gain.
 */
import type { LogMelSpectrogram } from './log-mel.js';

/** Names of {@link speechMusicDescriptors}' values, in order. */
export const SPEECH_MUSIC_DESCRIPTORS = [
  'lowEnergyFrames',
  'modulation4Hz',
  'fluxMean',
  'fluxVariation',
  'flatness',
  'beatStrength',
  'centroidSpread',
  'stationarity',
  'bandVariation',
  'peakPersistence',
  'peakiness',
  'spectrumPeakiness',
  'pulseRegularity',
  'tempoSalience',
  'lowBeatStrength',
] as const;

/** Number of values {@link speechMusicDescriptors} returns. */
export const SPEECH_MUSIC_SIZE = SPEECH_MUSIC_DESCRIPTORS.length;

/** Frame energies (sum of mel power), `frames` values. */
function frameEnergies(s: LogMelSpectrogram): Float64Array {
  const e = new Float64Array(s.frames);
  for (let t = 0; t < s.frames; t++) {
    let sum = 0;
    for (let m = 0; m < s.nMels; m++) sum += Math.exp(s.data[t * s.nMels + m] ?? 0);
    e[t] = sum;
  }
  return e;
}

/** Share of frames whose RMS is below half the mean RMS of the surrounding second (S&S 1997). */
function lowEnergyFrames(energy: Float64Array, framesPerSecond: number): number {
  const half = Math.max(1, Math.round(framesPerSecond / 2));
  const rms = Array.from(energy, Math.sqrt);
  let low = 0;
  for (let t = 0; t < rms.length; t++) {
    let sum = 0;
    let n = 0;
    for (let u = Math.max(0, t - half); u <= Math.min(rms.length - 1, t + half); u++) {
      sum += rms[u] ?? 0;
      n++;
    }
    if ((rms[t] ?? 0) < 0.5 * (sum / n)) low++;
  }
  return low / Math.max(1, rms.length);
}

/** The frequencies of {@link modulation4Hz}'s DFT: 0.5 … 16 Hz in 0.25 Hz steps. */
const MODULATION_HZ: number[] = [];
for (let f = 0.5; f <= 16; f += 0.25) MODULATION_HZ.push(f);

/**
 * `cos(w·t)` and `sin(w·t)` of {@link modulation4Hz}'s DFT, `w = 2π f / framesPerSecond`, for
 * every frequency (rows) and frame t < `frames` — the very values it would compute in its loop,
 * kept between calls (≈ 81,000 cosines and sines for a 15 s clip otherwise).
 */
interface DftTable {
  readonly framesPerSecond: number;
  readonly frames: number;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

let dftTable: DftTable | undefined;

function modulationTable(framesPerSecond: number, frames: number): DftTable {
  if (dftTable?.framesPerSecond === framesPerSecond && dftTable.frames >= frames) return dftTable;
  const cos = new Float64Array(MODULATION_HZ.length * frames);
  const sin = new Float64Array(MODULATION_HZ.length * frames);
  MODULATION_HZ.forEach((f, i) => {
    const w = (2 * Math.PI * f) / framesPerSecond;
    for (let t = 0; t < frames; t++) {
      cos[i * frames + t] = Math.cos(w * t);
      sin[i * frames + t] = Math.sin(w * t);
    }
  });
  dftTable = { framesPerSecond, frames, cos, sin };
  return dftTable;
}

/**
 * Share of the log-energy envelope's modulation power (0.5–16 Hz) that lies at 3–6 Hz, the
 * syllable rate of speech (S&S 1997 use the 4 Hz band), by a direct DFT at 0.25 Hz steps.
 */
function modulation4Hz(energy: Float64Array, framesPerSecond: number): number {
  const env = Array.from(energy, (e) => Math.log(e + 1e-10));
  const mean = env.reduce((a, b) => a + b, 0) / Math.max(1, env.length);
  const table = modulationTable(framesPerSecond, env.length);
  let inBand = 0;
  let total = 0;
  MODULATION_HZ.forEach((f, i) => {
    const row = i * table.frames;
    let re = 0;
    let im = 0;
    for (let t = 0; t < env.length; t++) {
      const v = (env[t] ?? 0) - mean;
      re += v * table.cos[row + t]!;
      im -= v * table.sin[row + t]!;
    }
    const p = re * re + im * im;
    total += p;
    if (f >= 3 && f <= 6) inBand += p;
  });
  return total > 0 ? inBand / total : 0;
}

function flux(s: LogMelSpectrogram): { mean: number; variation: number } {
  const values: number[] = [];
  for (let t = 1; t < s.frames; t++) {
    let sum = 0;
    for (let m = 0; m < s.nMels; m++) {
      const d = (s.data[t * s.nMels + m] ?? 0) - (s.data[(t - 1) * s.nMels + m] ?? 0);
      sum += d * d;
    }
    values.push(Math.sqrt(sum / s.nMels));
  }
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const sd = Math.sqrt(
    values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length),
  );
  return { mean, variation: mean > 0 ? sd / mean : 0 };
}

/** Mean over frames of ln(geometric mean / arithmetic mean) of the mel power (≤ 0; 0 = white). */
function flatness(s: LogMelSpectrogram): number {
  let total = 0;
  for (let t = 0; t < s.frames; t++) {
    let logSum = 0;
    let sum = 0;
    for (let m = 0; m < s.nMels; m++) {
      const l = s.data[t * s.nMels + m] ?? 0;
      logSum += l;
      sum += Math.exp(l);
    }
    total += logSum / s.nMels - Math.log(sum / s.nMels + 1e-12);
  }
  return total / Math.max(1, s.frames);
}

/** Highest normalised autocorrelation of the onset envelope at lags of 0.25–1.5 s. */
function beatStrength(s: LogMelSpectrogram, framesPerSecond: number): number {
  const onset = new Float64Array(s.frames);
  for (let t = 1; t < s.frames; t++) {
    let sum = 0;
    for (let m = 0; m < s.nMels; m++) {
      sum += Math.max(0, (s.data[t * s.nMels + m] ?? 0) - (s.data[(t - 1) * s.nMels + m] ?? 0));
    }
    onset[t] = sum;
  }
  const mean = onset.reduce((a, b) => a + b, 0) / Math.max(1, onset.length);
  for (let t = 0; t < onset.length; t++) onset[t] = (onset[t] ?? 0) - mean;
  let r0 = 0;
  for (const v of onset) r0 += v * v;
  if (r0 <= 0) return 0;
  let best = 0;
  const from = Math.round(0.25 * framesPerSecond);
  const to = Math.min(onset.length - 1, Math.round(1.5 * framesPerSecond));
  for (let lag = from; lag <= to; lag++) {
    let r = 0;
    for (let t = lag; t < onset.length; t++) r += (onset[t] ?? 0) * (onset[t - lag] ?? 0);
    best = Math.max(best, r / r0);
  }
  return best;
}

/** Standard deviation over frames of the spectral centroid, in mel bands / nMels. */
function centroidSpread(s: LogMelSpectrogram): number {
  const c: number[] = [];
  for (let t = 0; t < s.frames; t++) {
    let num = 0;
    let den = 0;
    for (let m = 0; m < s.nMels; m++) {
      const p = Math.exp(s.data[t * s.nMels + m] ?? 0);
      num += m * p;
      den += p;
    }
    c.push(den > 0 ? num / den : 0);
  }
  const mean = c.reduce((a, b) => a + b, 0) / Math.max(1, c.length);
  return Math.sqrt(c.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, c.length)) / s.nMels;
}

/**
 * Mean correlation between log-mel frames 0.25 s apart, after removing each band's mean over the
 * clip: sustained notes and chords keep it high, syllables and noise bursts do not.
 */
function stationarity(s: LogMelSpectrogram, framesPerSecond: number): number {
  const lag = Math.max(1, Math.round(0.25 * framesPerSecond));
  if (s.frames <= lag) return 0;
  const bandMean = new Float64Array(s.nMels);
  for (let t = 0; t < s.frames; t++) {
    for (let m = 0; m < s.nMels; m++) bandMean[m]! += (s.data[t * s.nMels + m] ?? 0) / s.frames;
  }
  let total = 0;
  for (let t = lag; t < s.frames; t++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let m = 0; m < s.nMels; m++) {
      const a = (s.data[t * s.nMels + m] ?? 0) - (bandMean[m] ?? 0);
      const b = (s.data[(t - lag) * s.nMels + m] ?? 0) - (bandMean[m] ?? 0);
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    total += aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  }
  return total / (s.frames - lag);
}

/**
 * Mean over mel bands of the standard deviation over time of the log-mel, smoothed over 0.25 s
 * first: how much the spectrum changes at the scale of notes and syllables. Stationary noise (a
 * fan, hiss, a quiet room) stays near the frame-to-frame randomness alone; music and speech move.
 */
function bandVariation(s: LogMelSpectrogram, framesPerSecond: number): number {
  const width = Math.max(1, Math.round(0.25 * framesPerSecond));
  const frames = s.frames - width + 1;
  if (frames < 2) return 0;
  let total = 0;
  for (let m = 0; m < s.nMels; m++) {
    let run = 0;
    for (let t = 0; t < width; t++) run += s.data[t * s.nMels + m] ?? 0;
    let sum = 0;
    let sumSq = 0;
    for (let t = 0; t < frames; t++) {
      if (t > 0) {
        run += (s.data[(t + width - 1) * s.nMels + m] ?? 0) - (s.data[(t - 1) * s.nMels + m] ?? 0);
      }
      const v = run / width;
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / frames;
    total += Math.sqrt(Math.max(0, sumSq / frames - mean * mean));
  }
  return total / s.nMels;
}

/** Prominence a peak needs over its neighbours two bands away: 1 natural-log unit ≈ 4.3 dB. */
const PEAK_PROMINENCE = 1;
/** Peaks more than this below the frame's highest band are ignored: 5 log units ≈ 22 dB. */
const PEAK_RANGE = 5;

/**
 * Bands that are spectral peaks in frame t: local maxima across bands (ties to the left) at least
 * {@link PEAK_PROMINENCE} above the mean of their neighbours two bands away, and within
 * {@link PEAK_RANGE} of the frame's highest band (peaks of the noise floor do not count). Written
 * as 1/0 into `out` (nMels values).
 */
function framePeaks(s: LogMelSpectrogram, t: number, out: Uint8Array): number {
  const row = t * s.nMels;
  let top = -Infinity;
  for (let m = 0; m < s.nMels; m++) top = Math.max(top, s.data[row + m] ?? 0);
  let count = 0;
  out.fill(0);
  for (let m = 2; m < s.nMels - 2; m++) {
    const x = s.data[row + m] ?? 0;
    if (x < top - PEAK_RANGE) continue;
    if (x < (s.data[row + m - 1] ?? 0) || x <= (s.data[row + m + 1] ?? 0)) continue;
    const around = 0.5 * ((s.data[row + m - 2] ?? 0) + (s.data[row + m + 2] ?? 0));
    if (x - around < PEAK_PROMINENCE) continue;
    out[m] = 1;
    count++;
  }
  return count;
}

/**
 * Share of spectral peaks ({@link framePeaks}) still a peak, in the same band or a neighbour, 0.1 s
 * later: held notes keep their peaks, noise and short events do not (0 without peaks).
 */
function peakPersistence(s: LogMelSpectrogram, framesPerSecond: number): number {
  const lag = Math.max(1, Math.round(0.1 * framesPerSecond));
  if (s.frames <= lag) return 0;
  const peaks: Uint8Array[] = Array.from({ length: lag + 1 }, () => new Uint8Array(s.nMels));
  for (let t = 0; t < lag; t++) framePeaks(s, t, peaks[t % (lag + 1)]!);
  let total = 0;
  let held = 0;
  for (let t = lag; t < s.frames; t++) {
    const now = peaks[t % (lag + 1)]!;
    framePeaks(s, t, now);
    const before = peaks[(t - lag) % (lag + 1)]!;
    for (let m = 1; m < s.nMels - 1; m++) {
      if (!before[m]) continue;
      total++;
      if (now[m - 1] || now[m] || now[m + 1]) held++;
    }
  }
  return total > 0 ? held / total : 0;
}

/**
 * Mean over bands 1 … nMels − 2 of the positive part of the spectrum's curvature,
 * max(0, x[m] − (x[m − 1] + x[m + 1]) / 2), in natural-log units: how peaked a spectrum is.
 */
function curvature(x: ArrayLike<number>, offset: number, nMels: number): number {
  let sum = 0;
  for (let m = 1; m < nMels - 1; m++) {
    const c = (x[offset + m] ?? 0) - 0.5 * ((x[offset + m - 1] ?? 0) + (x[offset + m + 1] ?? 0));
    if (c > 0) sum += c;
  }
  return nMels > 2 ? sum / (nMels - 2) : 0;
}

/** Mean over frames of {@link curvature}: how tonal single frames are. */
function peakiness(s: LogMelSpectrogram): number {
  let total = 0;
  for (let t = 0; t < s.frames; t++) total += curvature(s.data, t * s.nMels, s.nMels);
  return s.frames > 0 ? total / s.frames : 0;
}

/**
 * {@link curvature} of the clip's mean log-mel spectrum: the pitches of a key recur and leave
 * peaks in the long-term spectrum; noise, speech and most events average out to a smooth one.
 */
function spectrumPeakiness(s: LogMelSpectrogram): number {
  if (s.frames === 0) return 0;
  const mean = new Float64Array(s.nMels);
  for (let t = 0; t < s.frames; t++) {
    for (let m = 0; m < s.nMels; m++) mean[m]! += (s.data[t * s.nMels + m] ?? 0) / s.frames;
  }
  return curvature(mean, 0, s.nMels);
}

/**
 * Normalised autocorrelation r(lag) = Σ o[t]·o[t − lag] / Σ o[t]² of the mean-removed onset
 * envelope (half-wave rectified log-mel flux summed over bands `from` … `to` − 1), for lags
 * 0 … `maxLag`; all zeros for a flat envelope.
 */
function onsetAutocorrelation(
  s: LogMelSpectrogram,
  from: number,
  to: number,
  maxLag: number,
): Float64Array {
  const onset = new Float64Array(s.frames);
  for (let t = 1; t < s.frames; t++) {
    let sum = 0;
    for (let m = from; m < to; m++) {
      sum += Math.max(0, (s.data[t * s.nMels + m] ?? 0) - (s.data[(t - 1) * s.nMels + m] ?? 0));
    }
    onset[t] = sum;
  }
  const mean = onset.reduce((a, b) => a + b, 0) / Math.max(1, onset.length);
  for (let t = 0; t < onset.length; t++) onset[t] = (onset[t] ?? 0) - mean;
  const r = new Float64Array(maxLag + 1);
  let r0 = 0;
  for (const v of onset) r0 += v * v;
  if (r0 <= 0) return r;
  for (let lag = 0; lag <= Math.min(maxLag, onset.length - 1); lag++) {
    let sum = 0;
    for (let t = lag; t < onset.length; t++) sum += (onset[t] ?? 0) * (onset[t - lag] ?? 0);
    r[lag] = sum / r0;
  }
  return r;
}

/**
 * Pulse descriptors of the onset envelope's autocorrelation r at beat periods L of 0.25–1.5 s:
 * regularity, the highest min(r(L), r(2L)) — a beat repeats at one and at two periods, a chance
 * coincidence of events rarely does —, and salience, the highest r(L) less the mean r over the
 * range (a clear tempo stands out; trains of random events give a broad, flat autocorrelation).
 */
function pulse(r: Float64Array, framesPerSecond: number): { regularity: number; salience: number } {
  const from = Math.round(0.25 * framesPerSecond);
  const to = Math.min(Math.floor((r.length - 1) / 2), Math.round(1.5 * framesPerSecond));
  if (to < from) return { regularity: 0, salience: 0 };
  let regularity = 0;
  let best = -Infinity;
  let sum = 0;
  for (let lag = from; lag <= to; lag++) {
    const v = r[lag] ?? 0;
    regularity = Math.max(regularity, Math.min(v, r[2 * lag] ?? 0));
    best = Math.max(best, v);
    sum += v;
  }
  return { regularity, salience: best - sum / (to - from + 1) };
}

/** Bands below ≈ 250 Hz of a 64-band mel scale from 30 Hz (kick drums, bass notes). */
const LOW_BANDS = 12;

/**
 * {@link beatStrength} of the low bands' onset envelope alone (the highest r at lags of
 * 0.25–1.5 s): kick drums and bass lines keep time there, most events do not.
 */
function lowBeatStrength(s: LogMelSpectrogram, framesPerSecond: number): number {
  const to = Math.round(1.5 * framesPerSecond);
  const r = onsetAutocorrelation(s, 0, Math.min(s.nMels, LOW_BANDS), to);
  let best = 0;
  for (let lag = Math.round(0.25 * framesPerSecond); lag <= to; lag++) {
    best = Math.max(best, r[lag] ?? 0);
  }
  return best;
}

/**
 * Computes the speech/music descriptors of a clip.
 *
 * Cost: a few ms for 10 s (430 frames × 64 bands) on the development machine.
 *
 * @param spectrogram - log-mel spectrogram (natural log of mel power), frames × nMels; at least
 *   2 frames for meaningful values (fewer give zeros)
 * @param framesPerSecond - sampleRate / hopLength (43.07 for 22,050 Hz and hop 512)
 * @returns {@link SPEECH_MUSIC_SIZE} values in the order of {@link SPEECH_MUSIC_DESCRIPTORS}:
 *   shares and correlations in [0, 1] (stationarity in [-1, 1]; pulse regularity, tempo salience
 *   and low beat strength in [0, 1] in practice, autocorrelations of at most 1), flux in log units
 *   per frame, flatness ≤ 0, band variation, peakiness and spectrum peakiness ≥ 0 in natural-log
 *   units
 */
export function speechMusicDescriptors(
  spectrogram: LogMelSpectrogram,
  framesPerSecond: number,
): Float64Array {
  const energy = frameEnergies(spectrogram);
  const f = flux(spectrogram);
  const p = pulse(
    onsetAutocorrelation(spectrogram, 0, spectrogram.nMels, Math.round(3 * framesPerSecond)),
    framesPerSecond,
  );
  return Float64Array.from([
    lowEnergyFrames(energy, framesPerSecond),
    modulation4Hz(energy, framesPerSecond),
    f.mean,
    f.variation,
    flatness(spectrogram),
    beatStrength(spectrogram, framesPerSecond),
    centroidSpread(spectrogram),
    stationarity(spectrogram, framesPerSecond),
    bandVariation(spectrogram, framesPerSecond),
    peakPersistence(spectrogram, framesPerSecond),
    peakiness(spectrogram),
    spectrumPeakiness(spectrogram),
    p.regularity,
    p.salience,
    lowBeatStrength(spectrogram, framesPerSecond),
  ]);
}
