/** Synthetic test signals whose descriptors are known by construction. */

/** A sine of `freq` Hz, `seconds` long, amplitude `amp`. */
export function sine(freq: number, seconds: number, sampleRate: number, amp = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++)
    out[i] = amp * Math.sin((2 * Math.PI * freq * i) / sampleRate);
  return out;
}

/** Deterministic uniform noise in [-1, 1) (32-bit LCG), for reproducible tests. */
export function noise(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Clicks (10 ms decaying noise bursts) at `bpm`, starting at 0.1 s. */
export function clickTrack(bpm: number, seconds: number, sampleRate: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  const burst = noise(Math.round(0.01 * sampleRate), 7);
  const period = (60 / bpm) * sampleRate;
  for (let start = 0.1 * sampleRate; start < out.length; start += period) {
    const s0 = Math.round(start);
    for (let j = 0; j < burst.length && s0 + j < out.length; j++) {
      out[s0 + j] = 0.8 * burst[j]! * Math.exp(-j / (0.002 * sampleRate));
    }
  }
  return out;
}

/** Equal-tempered frequency of MIDI note `n` (A4 = 69 = 440 Hz). */
export function midiHz(n: number): number {
  return 440 * 2 ** ((n - 69) / 12);
}

/** A sustained chord of MIDI notes, each with `harmonics` partials of amplitude 1/h. */
export function chord(
  notes: number[],
  seconds: number,
  sampleRate: number,
  harmonics = 4,
): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  const scale = 0.5 / notes.length;
  for (const note of notes) {
    const f0 = midiHz(note);
    for (let h = 1; h <= harmonics; h++) {
      const w = (2 * Math.PI * f0 * h) / sampleRate;
      const a = scale / h;
      for (let i = 0; i < out.length; i++) out[i]! += a * Math.sin(w * i);
    }
  }
  return out;
}
