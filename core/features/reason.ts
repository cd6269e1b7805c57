/**
 * One-line explanations built from descriptors: what a recommended track shares with the query
 * ("similar tempo (122 vs 120 BPM), same key (A minor), similar brightness") and a short tag line
 * for a track ("120 BPM · A minor · bright"). Numbers read "candidate vs query".
 *
 * Thresholds were set on 36 game-soundtrack clips (test fixtures of the project): tempo
 * confidence ranged 0.05–0.83 and key confidence 0.30–0.91, so a tempo is only mentioned at
 * confidence ≥ 0.3 and a key at ≥ 0.5; spectral centroids ranged 0.6–4.7 kHz.
 */
import type { Descriptors } from './descriptors.js';
import { PITCH_CLASSES } from './key.js';

/** Tempo confidence from which a tempo is worth mentioning. */
export const TEMPO_CONFIDENCE_MIN = 0.3;
/** Key confidence from which a key is worth mentioning. */
export const KEY_CONFIDENCE_MIN = 0.5;

interface Clause {
  readonly text: string;
  /** Higher comes first. */
  readonly salience: number;
}

/**
 * Says in one short line what `candidate` shares with `query`, most salient first: tempo (same,
 * within 4 %, or 2:1), key (same, relative, parallel, a fifth apart), brightness (spectral
 * centroid within 15 %), loudness (within 2 dB). At most three shared aspects; when fewer, the
 * clearest difference in brightness or tempo follows ("brighter (centroid 2.9 vs 2.1 kHz)").
 *
 * @param query - descriptors of the user's clip
 * @param candidate - descriptors of the recommended track
 * @returns a non-empty line; "similar timbre" when nothing else can be said (the match then
 *   comes from the embedding alone)
 */
export function explainSimilarity(query: Descriptors, candidate: Descriptors): string {
  const shared: Clause[] = [];
  const contrasts: Clause[] = [];
  const tempo = tempoClause(query, candidate);
  if (tempo) (tempo.shared ? shared : contrasts).push(tempo.clause);
  const key = keyClause(query, candidate);
  if (key) shared.push(key);
  const qc = query.spectralCentroidHz;
  const cc = candidate.spectralCentroidHz;
  if (qc > 0 && cc > 0) {
    const ratio = cc / qc;
    if (ratio <= 1.15 && ratio >= 1 / 1.15)
      shared.push({ text: 'similar brightness', salience: 0.5 });
    else if (ratio >= 1.25 || ratio <= 0.8) {
      const word = ratio > 1 ? 'brighter' : 'darker';
      contrasts.push({ text: `${word} (centroid ${kHz(cc)} vs ${kHz(qc)} kHz)`, salience: 0.5 });
    }
  }
  if (Math.abs(query.loudnessDb - candidate.loudnessDb) <= 2 && query.loudnessDb > -90) {
    shared.push({ text: 'similar loudness', salience: 0.3 });
  }
  const bySalience = (a: Clause, b: Clause): number => b.salience - a.salience;
  const parts = shared
    .sort(bySalience)
    .slice(0, 3)
    .map((c) => c.text);
  const contrast = contrasts.sort(bySalience)[0];
  if (parts.length === 0) {
    return contrast ? `close timbre, ${contrast.text}` : 'similar timbre';
  }
  if (parts.length < 3 && contrast) parts.push(contrast.text);
  return parts.join(', ');
}

/**
 * A short tag line for one track: tempo (when confident), key (when confident) and a brightness
 * word from the spectral centroid (< 1 kHz dark, < 2 kHz warm, < 3.2 kHz bright, else very
 * bright; "near-silent" below −90 dBFS), joined with " · ".
 *
 * @param d - the track's descriptors
 * @returns e.g. "120 BPM · A minor · bright"; never empty
 */
export function describeTrack(d: Descriptors): string {
  const parts: string[] = [];
  if (d.tempoBpm !== null && d.tempoConfidence >= TEMPO_CONFIDENCE_MIN) {
    parts.push(`${Math.round(d.tempoBpm)} BPM`);
  }
  if (d.key.confidence >= KEY_CONFIDENCE_MIN) parts.push(`${d.key.tonic} ${d.key.mode}`);
  parts.push(brightnessWord(d));
  return parts.join(' · ');
}

function brightnessWord(d: Descriptors): string {
  if (d.loudnessDb <= -90) return 'near-silent';
  const c = d.spectralCentroidHz;
  if (c < 1000) return 'dark';
  if (c < 2000) return 'warm';
  if (c < 3200) return 'bright';
  return 'very bright';
}

function tempoClause(q: Descriptors, c: Descriptors): { clause: Clause; shared: boolean } | null {
  if (q.tempoBpm === null || c.tempoBpm === null) return null;
  const confidence = Math.min(q.tempoConfidence, c.tempoConfidence);
  if (confidence < TEMPO_CONFIDENCE_MIN) return null;
  const qb = Math.round(q.tempoBpm);
  const cb = Math.round(c.tempoBpm);
  const diff = Math.abs(c.tempoBpm - q.tempoBpm);
  if (qb === cb) return { clause: { text: `same tempo (${cb} BPM)`, salience: 1 }, shared: true };
  if (diff <= Math.max(3, 0.04 * q.tempoBpm)) {
    return { clause: { text: `similar tempo (${cb} vs ${qb} BPM)`, salience: 0.95 }, shared: true };
  }
  const ratio = c.tempoBpm / q.tempoBpm;
  if (Math.abs(ratio - 2) <= 0.08 || Math.abs(ratio - 0.5) <= 0.02) {
    const feel = ratio > 1 ? 'double-time' : 'half-time';
    return { clause: { text: `${feel} tempo (${cb} vs ${qb} BPM)`, salience: 0.45 }, shared: true };
  }
  if (ratio >= 1.15 || ratio <= 1 / 1.15) {
    const word = ratio > 1 ? 'faster' : 'slower';
    return { clause: { text: `${word} (${cb} vs ${qb} BPM)`, salience: 0.4 }, shared: false };
  }
  return null;
}

function keyClause(q: Descriptors, c: Descriptors): Clause | null {
  if (Math.min(q.key.confidence, c.key.confidence) < KEY_CONFIDENCE_MIN) return null;
  const qt = PITCH_CLASSES.indexOf(q.key.tonic);
  const ct = PITCH_CLASSES.indexOf(c.key.tonic);
  const qName = `${q.key.tonic} ${q.key.mode}`;
  const cName = `${c.key.tonic} ${c.key.mode}`;
  const interval = (ct - qt + 12) % 12;
  if (q.key.mode === c.key.mode) {
    if (interval === 0) return { text: `same key (${cName})`, salience: 0.9 };
    if (interval === 5 || interval === 7) {
      return { text: `neighbouring keys (${cName} / ${qName})`, salience: 0.4 };
    }
    return null;
  }
  if (interval === 0) return { text: `parallel keys (${cName} / ${qName})`, salience: 0.45 };
  // Relative keys share all notes: the minor tonic is three semitones below the major one.
  const relative = c.key.mode === 'minor' ? interval === 9 : interval === 3;
  return relative ? { text: `relative keys (${cName} / ${qName})`, salience: 0.6 } : null;
}

function kHz(hz: number): string {
  return (hz / 1000).toFixed(1);
}
