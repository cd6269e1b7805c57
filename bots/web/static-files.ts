/**
 * The page's static files (bots/web/public), read once at start-up into memory. Only the files
 * named here are ever served. The compiled server (dist/bots/web) reads them from the source tree,
 * so the build needs no copy step.
 */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One static file held in memory. */
export interface StaticFile {
  readonly contentType: string;
  readonly body: Buffer;
}

/** URL path → file name in public/ and its type. */
const FILES: Readonly<Record<string, { readonly name: string; readonly type: string }>> = {
  '/': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { name: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { name: 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { name: 'favicon.svg', type: 'image/svg+xml' },
};

/**
 * The folder holding the page's files: `public/` beside this module when run from source, else
 * bots/web/public of the source tree when run from dist/bots/web.
 *
 * @throws Error naming both candidates when neither holds index.html
 */
export function publicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'public'),
    path.resolve(here, '..', '..', '..', 'bots', 'web', 'public'),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`web chat page not found in ${candidates.join(' or ')}`);
  return found;
}

/**
 * Reads every static file into memory, filling the page's placeholders.
 *
 * @param values - placeholder → value for index.html (e.g. `__MAX_UPLOAD_BYTES__` → "20971520")
 * @returns URL path → file
 * @throws Error when a file is missing (see {@link publicDir})
 */
export async function loadStaticFiles(
  values: Readonly<Record<string, string>>,
): Promise<ReadonlyMap<string, StaticFile>> {
  const dir = publicDir();
  const out = new Map<string, StaticFile>();
  for (const [urlPath, { name, type }] of Object.entries(FILES)) {
    let body = await readFile(path.join(dir, name));
    if (name === 'index.html') {
      let text = body.toString('utf8');
      for (const [key, value] of Object.entries(values)) text = text.replaceAll(key, value);
      body = Buffer.from(text, 'utf8');
    }
    out.set(urlPath, { contentType: type, body });
  }
  return out;
}
