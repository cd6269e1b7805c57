/**
 * Runs a bench script in a fresh Node process and reads the JSON it prints last: how the benches
 * measure what only a new process shows (cold start, a serving process's RSS).
 *
 * @module
 */
import { spawn } from 'node:child_process';

/**
 * Runs `node <script> ...args` and returns its last stdout line parsed as JSON.
 *
 * @param script - path of a built bench script
 * @param args - its arguments
 * @returns the parsed value
 * @throws Error with the child's stderr when it exits non-zero; SyntaxError when its last line is
 *   not JSON
 */
export function runJson(script: string, args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${script} failed (${code}): ${err}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch (error) {
        reject(error);
      }
    });
  });
}
