/**
 * WebAssembly tiering for the short commands. V8 runs WebAssembly first from its baseline compiler
 * (Liftoff) and compiles the functions that run long with its optimising one (TurboFan), on
 * background threads. A command that answers one clip and exits runs PGlite's start-up (PostgreSQL
 * compiled to WebAssembly), tfjs's kernels and the DSP kernels once each: the optimised code that
 * start-up asks for costs more CPU than it saves before the process ends, and on two cores it
 * competes with the clip's decode and analysis. `--liftoff-only` keeps every WebAssembly function
 * on its baseline code (docs/scaling.md, Cold start, has the cold and warm figures).
 *
 * Set from the command's action, before the engine opens and compiles PGlite's and tfjs's
 * WebAssembly (measured there, through the CLI). Long runs (several clips, `evaluate`, `ingest`,
 * the bots) keep V8's default, where the optimised code pays.
 *
 * @module
 */
import v8 from 'node:v8';

/** The most clips a `recommend` answers with baseline code only: past it the faster CNN pays. */
export const BASELINE_ONLY_MAX_CLIPS = 4;

/** The V8 flag (see the module's notes). */
const BASELINE_ONLY_FLAG = '--liftoff-only';

/**
 * Whether a short command should keep WebAssembly on baseline code: not when the user's own Node
 * options already name a WebAssembly tiering flag, or `SYNESTHETE_WASM_TIERING=default` asks for
 * V8's default.
 *
 * @param clips - clips the command will analyse (0 for a command that analyses none)
 * @param execArgv - this process's Node options (`process.execArgv`)
 * @param env - the environment (`NODE_OPTIONS`, `SYNESTHETE_WASM_TIERING`)
 * @returns true when {@link keepWasmBaseline} should run
 */
export function wantsBaselineOnly(
  clips: number,
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (clips > BASELINE_ONLY_MAX_CLIPS || env.SYNESTHETE_WASM_TIERING === 'default') return false;
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return !given.some((a) => /^--(no-)?(liftoff|wasm-tier|wasm-dynamic-tiering)/.test(a));
}

/**
 * Keeps this process's WebAssembly on V8's baseline code from now on (see the module's notes).
 *
 * @param clips - clips the command will analyse (0 for none)
 * @returns whether the flag was set
 */
export function keepWasmBaseline(clips: number): boolean {
  if (!wantsBaselineOnly(clips)) return false;
  v8.setFlagsFromString(BASELINE_ONLY_FLAG);
  return true;
}
