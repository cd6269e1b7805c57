/**
 * The inner DSP loops in WebAssembly with 128-bit SIMD (core/dsp/kernels.c, compiled by
 * scripts/build-dsp-wasm.sh into kernels-wasm.ts), and the memory they work in. One instance per
 * thread, made synchronously when this module loads (~1 ms; the module is ~4 KB).
 *
 * Callers lay their arrays out in the kernels' memory with {@link withScratch} and read them
 * through {@link f32View}/{@link f64View}. Allocating may grow the memory, which detaches every
 * view taken before: take views after the last allocation, and again after calling anything
 * that may allocate.
 *
 * @module
 */
import { SynestheteError } from '../util/errors.js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/** The kernels' exports (see core/dsp/kernels.c for what each computes); arguments are byte addresses and counts. */
export interface DspKernels {
  split2_f32(x: number, count: number, out: number): void;
  split_f64(x: number, step: number, count: number, out: number): void;
  half_band_f32(e: number, o: number, c: number, pairs: number, count: number, y: number): void;
  firm_f64(
    phases: number,
    stride: number,
    m: number,
    h: number,
    taps: number,
    count: number,
    y: number,
  ): void;
  window_frames(x: number, hop: number, nfft: number, frames: number, w: number, out: number): void;
  power_frames(spectra: number, nfft: number, frames: number, power: number): void;
  mel_frames(
    power: number,
    bins: number,
    frames: number,
    weights: number,
    start: number,
    end: number,
    nmels: number,
    out: number,
  ): void;
  band_f64(
    power: number,
    bins: number,
    frames: number,
    from: number,
    width: number,
    add: number,
    out: number,
  ): void;
  peak_candidates(
    spec: number,
    frames: number,
    width: number,
    halfBins: number,
    halfFrames: number,
    tie: number,
    rowMax: number,
    pad: number,
    listed: number,
    cand: number,
  ): number;
  spectrum_sums(
    power: number,
    bins: number,
    frames: number,
    sumPower: number,
    sumMagnitude: number,
  ): void;
  clip_unit_f32(x: number, count: number): void;
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the WebAssembly JavaScript API used here (the project's `lib` has no DOM types). */
interface WasmApi {
  Memory: new (descriptor: {
    initial: number;
  }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** WebAssembly pages are 64 KiB. */
const PAGE = 65_536;

/** 16 MiB at first: a 30 s excerpt's STFT at 44,100 Hz needs ~12. */
const INITIAL_PAGES = 256;

/**
 * Memory kept after a call grew it past this (64 MiB): a longer one (a 25-minute fingerprint
 * takes ~560 MB) is handed back to the garbage collector once its scratch is released, with the
 * module instantiated anew over a fresh memory (~1 ms).
 */
const RETAIN_BYTES = 64 * 1024 * 1024;

/** The module, compiled once per thread. */
const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));

function instantiate(): { memory: WasmMemory; exports: DspKernels } {
  const memory = new wasm.Memory({ initial: INITIAL_PAGES });
  const instance = new wasm.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports as unknown as DspKernels };
}

let current = instantiate();

/** The kernels, calling into the current instance (see {@link RETAIN_BYTES}). */
export const kernels: DspKernels = Object.fromEntries(
  Object.keys(current.exports).map((name) => [
    name,
    (...args: number[]) =>
      (current.exports as unknown as Record<string, (...a: number[]) => number>)[name]!(...args),
  ]),
) as unknown as DspKernels;

/** Where the scratch stack starts: address 0 is left unused, so that no array lies at C's null. */
const BASE = 16;

/** First free byte of the scratch stack. */
let top = BASE;

/**
 * Runs `fn` with an allocator of scratch space in the kernels' memory; everything it allocated
 * is released when it returns or throws. Calls nest (a callee's scratch lies above its caller's).
 *
 * @param fn - receives `alloc(bytes)`, which returns the byte address of `bytes` bytes aligned
 *   to 16 (contents undefined)
 * @returns what `fn` returns
 * @throws SynestheteError `E_INTERNAL` when the memory cannot grow (past 4 GiB)
 */
export function withScratch<T>(fn: (alloc: (bytes: number) => number) => T): T {
  const mark = top;
  try {
    return fn(alloc);
  } finally {
    top = mark;
    if (mark === BASE && current.memory.buffer.byteLength > RETAIN_BYTES) current = instantiate();
  }
}

function alloc(bytes: number): number {
  const at = (top + 15) & ~15;
  const end = at + Math.max(0, Math.ceil(bytes));
  if (end > current.memory.buffer.byteLength) {
    const pages = Math.ceil((end - current.memory.buffer.byteLength) / PAGE);
    try {
      current.memory.grow(pages);
    } catch {
      throw new SynestheteError('E_INTERNAL', `DSP scratch memory cannot grow to ${end} bytes`);
    }
  }
  top = end;
  return at;
}

/**
 * A Float32Array over `length` values of the kernels' memory from byte address `at` (valid until
 * the memory next grows).
 */
export function f32View(at: number, length: number): Float32Array {
  return new Float32Array(current.memory.buffer, at, length);
}

/** A Float64Array over `length` values from byte address `at` (see {@link f32View}). */
export function f64View(at: number, length: number): Float64Array {
  return new Float64Array(current.memory.buffer, at, length);
}

/** An Int32Array over `length` values from byte address `at` (see {@link f32View}). */
export function i32View(at: number, length: number): Int32Array {
  return new Int32Array(current.memory.buffer, at, length);
}

/** Bytes of memory the kernels hold now (16 MiB at first; see {@link RETAIN_BYTES}). */
export function memoryBytes(): number {
  return current.memory.buffer.byteLength;
}
