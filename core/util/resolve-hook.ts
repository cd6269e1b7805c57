/**
 * A start-up shortcut for one package's module resolution. drizzle-orm ships ~450 ES modules
 * and a 179 KB `package.json` whose `exports` map lists every one of them. For each module file
 * it loads, Node 22 looks up the package scope to learn the file's format, and its
 * `package_json_reader` re-parses that whole `exports` map each time (the lazy getter is copied by
 * an object spread, so it runs on every lookup): about 2.6 ms per file, 1.2 s of CPU — a third
 * of a cold `synesthete recommend` — before the first query (measured with `node --cpu-prof`
 * on the 2-core development machine).
 *
 * Inside drizzle-orm every import is a relative specifier to a `.js` file of the same package,
 * whose `package.json` says `"type": "module"`, so resolving it is a URL join and its format is
 * known: the hook answers exactly those and hands every other specifier to Node unchanged.
 *
 * @module
 */
import nodeModule from 'node:module';

/** Where the shortcut applies: files inside an installed drizzle-orm. */
const PACKAGE_DIR = '/node_modules/drizzle-orm/';

interface ResolveContext {
  readonly parentURL?: string | undefined;
}
interface ResolveResult {
  readonly url: string;
  readonly format?: string | null | undefined;
  readonly shortCircuit?: boolean | undefined;
}
type RegisterHooks = (hooks: {
  resolve: (
    specifier: string,
    context: ResolveContext,
    next: (specifier: string, context: ResolveContext) => ResolveResult,
  ) => ResolveResult;
}) => unknown;

/**
 * The resolution the hook gives, or null where Node's own resolver must answer.
 *
 * @param specifier - the import specifier as written
 * @param parentURL - `file:` URL of the importing module, if any
 * @returns the resolved `file:` URL with format `module`, for a relative `.js` import from a file of
 *   drizzle-orm to another file of it; else null
 */
export function shortcutResolution(
  specifier: string,
  parentURL: string | undefined,
): { url: string; format: 'module' } | null {
  if (parentURL === undefined || !parentURL.startsWith('file:')) return null;
  if (!parentURL.includes(PACKAGE_DIR)) return null;
  if (!(specifier.startsWith('./') || specifier.startsWith('../')) || !specifier.endsWith('.js')) {
    return null;
  }
  const url = new URL(specifier, parentURL);
  return url.pathname.includes(PACKAGE_DIR) ? { url: url.href, format: 'module' } : null;
}

/**
 * Installs the shortcut for this process (and its later imports), once. Needs
 * `module.registerHooks` (Node ≥ 22.15); on an older Node it does nothing and start-up is only
 * slower.
 *
 * @returns whether the hook is installed
 */
export function installResolveShortcut(): boolean {
  const register = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof register !== 'function') return false;
  register({
    resolve(specifier, context, next) {
      const hit = shortcutResolution(specifier, context.parentURL);
      return hit ? { ...hit, shortCircuit: true } : next(specifier, context);
    },
  });
  return true;
}
