/**
 * Confidence calibration: a one-feature logistic regression (Platt 1999, "Probabilistic outputs
 * for support vector machines") from cosine similarity to the probability that a recommended
 * track shares the query's label, fitted by Newton's method on held-out pairs. The engine applies
 * it with core/recommend/calibration.ts.
 */
import type { Calibration } from '../recommend/calibration.js';

/**
 * Fits {@link Calibration} to (similarity, same-label) pairs; 50 Newton iterations with a tiny
 * ridge term keep it stable when the classes separate perfectly.
 *
 * @param similarities - cosine similarities in [-1, 1]
 * @param positives - 1 where the pair shares a label, else 0; same length
 */
export function fitCalibration(
  similarities: readonly number[],
  positives: readonly number[],
  method: string,
): Calibration {
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-3;
    let hab = 0;
    let hbb = 1e-3;
    for (let i = 0; i < similarities.length; i++) {
      const x = similarities[i]!;
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      const err = p - positives[i]!;
      const w = p * (1 - p);
      ga += err * x;
      gb += err;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    a -= (hbb * ga - hab * gb) / det;
    b -= (haa * gb - hab * ga) / det;
  }
  return { a, b, method };
}

/**
 * Reliability table: for confidence bins of width 0.2, how many results fell in the bin and how
 * often they really shared the query's label.
 */
export function reliability(
  confidences: readonly number[],
  positives: readonly number[],
): Array<{ bin: string; n: number; meanConfidence: number; observed: number }> {
  const bins = Array.from({ length: 5 }, (_, i) => ({ lo: i / 5, n: 0, conf: 0, pos: 0 }));
  confidences.forEach((c, i) => {
    const bin = bins[Math.min(4, Math.floor(c * 5))]!;
    bin.n++;
    bin.conf += c;
    bin.pos += positives[i]!;
  });
  return bins.map((bin) => ({
    bin: `${bin.lo.toFixed(1)}–${(bin.lo + 0.2).toFixed(1)}`,
    n: bin.n,
    meanConfidence: bin.n ? bin.conf / bin.n : 0,
    observed: bin.n ? bin.pos / bin.n : 0,
  }));
}
