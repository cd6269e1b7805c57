/**
 * Types of `@echogarden/pffft-wasm` (PFFFT, J. Pommier, compiled to WebAssembly by Emscripten),
 * which ships none: the factory and the exports core/features/stft.ts calls. Pointers are byte
 * offsets into the module's memory; `HEAPF32` is a view of that memory, replaced when it grows.
 */
declare module '@echogarden/pffft-wasm/simd' {
  export interface PffftModule {
    readonly HEAPF32: Float32Array;
    /** `pffft_new_setup(N, PFFFT_REAL = 0 | PFFFT_COMPLEX = 1)`: a setup pointer, 0 on failure. */
    _pffft_new_setup(n: number, transform: number): number;
    /** 16-byte aligned allocation, bytes → pointer. */
    _pffft_aligned_malloc(bytes: number): number;
    /** `pffft_transform_ordered(setup, input, output, work, PFFFT_FORWARD = 0 | PFFFT_BACKWARD = 1)`. */
    _pffft_transform_ordered(
      setup: number,
      input: number,
      output: number,
      work: number,
      direction: number,
    ): void;
  }
  const factory: () => Promise<PffftModule>;
  export default factory;
}
