/**
 * Confidence of a result: cosine similarity mapped by the model's logistic calibration
 * (`metadata.calibration`), fitted on held-out pairs by core/evaluation/calibration.ts.
 */

/** Logistic calibration p = 1 / (1 + exp(-(a · similarity + b))). */
export interface Calibration {
  readonly a: number;
  readonly b: number;
  /** How it was fitted, for metadata.json. */
  readonly method: string;
}

/** Calibrated probability in [0, 1] for a cosine similarity. */
export function calibratedConfidence(similarity: number, calibration: Calibration): number {
  return 1 / (1 + Math.exp(-(calibration.a * similarity + calibration.b)));
}
