/**
 * Where a worker thread's script is: the compiled `.js` beside the caller when the package is
 * built, else (under vitest or tsx, where the sources are TypeScript and there is no compiled
 * file) the `.ts` source run through tsx.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The script of a worker thread and the Node options it needs.
 *
 * @param name - the script's file name without extension, beside `base` (e.g. './map-layout-thread')
 * @param base - `import.meta.url` of the module that starts the thread
 * @returns the path to pass to `new Worker` and its `execArgv` (`['--import', 'tsx']` for a
 *   TypeScript source)
 */
export function threadScript(name: string, base: string): { file: string; execArgv: string[] } {
  const compiled = fileURLToPath(new URL(`${name}.js`, base));
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  return { file: fileURLToPath(new URL(`${name}.ts`, base)), execArgv: ['--import', 'tsx'] };
}
