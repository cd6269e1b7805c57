/**
 * Parameters of the landmark (constellation) audio fingerprint of A. Wang, "An Industrial-Strength
 * Audio Search Algorithm", ISMIR 2003: spectral peaks of a short-time Fourier transform, hashed in
 * pairs (anchor peak + a target peak in a zone after it) as (f1, f2 − f1, t2 − t1). Changing any
 * value changes the hashes, so it must come with a new {@link FINGERPRINT_VERSION} (stored
 * fingerprints of another version are ignored and recomputed by the next ingest).
 *
 * @module
 */

/**
 * Version of the hash layout and of every parameter below; written into each stored fingerprint
 * (see `encodeFingerprint`). Bump on any change.
 */
export const FINGERPRINT_VERSION = 1;

/** Spectral analysis and peak picking (the "constellation map" of Wang 2003, §2.1). */
export const FINGERPRINT_PARAMS = {
  /**
   * Sample rate of the analysed mono signal, Hz. Wang 2003 used 8 kHz; 11,025 Hz keeps the band a
   * phone voice note carries (≈ 200 Hz–7 kHz) up to 5.5 kHz.
   */
  sampleRate: 11_025,
  /** FFT size, samples (92.9 ms at 11,025 Hz; bins 10.77 Hz apart). */
  nFft: 1024,
  /** Hop between frames, samples (23.2 ms at 11,025 Hz: ≈ 43.07 frames per second). */
  hopLength: 256,
  /** Lowest bin a peak may lie in (bin 28 ≈ 301 Hz: above the phone's 200 Hz high-pass). */
  minBin: 28,
  /** Highest bin a peak may lie in (bin 464 ≈ 4,997 Hz). */
  maxBin: 464,
  /** Half-width of the peak neighbourhood along frequency, bins (a peak is the maximum of it). */
  peakHalfBins: 12,
  /** Half-width of the peak neighbourhood along time, frames (≈ ±116 ms). */
  peakHalfFrames: 5,
  /** Peaks kept per second at most (the strongest of each one-second block). */
  peaksPerSecond: 24,
  /** Peaks quieter than the loudest peak of their block by more than this are dropped, dB. */
  peakFloorDb: 40,
} as const;

/** Pairing of peaks into hashes (the "target zone" of Wang 2003, §2.2). */
export const HASH_PARAMS = {
  /** Targets paired with each anchor at most (Wang's fan-out). */
  fanOut: 8,
  /** Smallest time step from anchor to target, frames. */
  minDeltaFrames: 1,
  /** Largest time step from anchor to target, frames (63 ≈ 1.46 s; 6 bits). */
  maxDeltaFrames: 63,
  /** Largest |f2 − f1|, bins (127 ≈ 1.37 kHz; 8 bits with sign). */
  maxDeltaBins: 127,
} as const;

/** Seconds per fingerprint frame (hop / sample rate). */
export const FRAME_SECONDS = FINGERPRINT_PARAMS.hopLength / FINGERPRINT_PARAMS.sampleRate;
