/**
 * `--help` of the program and of every command: exit 0 and every option named. Usage errors:
 * one line, exit 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, hasStackTrace, runCli } from '../helpers/cli.js';

const COMMON = ['--catalog', '--model'];

/** What recommend and similar share: variety, filters, tags. */
const LIST = [
  '--max-per-artist',
  '--max-per-album',
  '--allow-versions',
  '--genre',
  '--not-genre',
  '--min-duration',
  '--max-duration',
  '--no-tags',
];

/** Each command and the options its help must mention. */
const COMMANDS: Record<string, readonly string[]> = {
  ingest: ['--concurrency', '--force', '--json', ...COMMON],
  recommend: ['--k', '--json', '--together', ...LIST, ...COMMON],
  similar: ['--k', '--json', ...LIST, ...COMMON],
  evaluate: [
    '--labels',
    '--label-column',
    '--exclude-same',
    '--k',
    '--baseline',
    '--identify',
    '--json',
    ...COMMON,
  ],
  train: [
    '--manifest',
    '--out',
    '--steps',
    '--batch-size',
    '--seed',
    '--max-seconds',
    '--held-out',
    '--cache',
    '--run',
  ],
  doctor: COMMON,
  map: ['--out', '--query', '--track', ...COMMON],
};

describe('synesthete --help', () => {
  const results = new Map<string, CliResult>();

  beforeAll(async () => {
    const runs: Array<[string, readonly string[]]> = [
      ['program', ['--help']],
      ...Object.keys(COMMANDS).map((c): [string, readonly string[]] => [c, [c, '--help']]),
      ['unknown command', ['frobnicate']],
      ['missing argument', ['recommend']],
      ['bad -k', ['recommend', 'x.ogg', '-k', 'zero']],
    ];
    const done = await Promise.all(runs.map(([, args]) => runCli(args)));
    runs.forEach(([name], i) => {
      results.set(name, done[i]!);
    });
  });

  it('prints the program help, naming every command, and exits 0', () => {
    const r = results.get('program')!;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: synesthete');
    for (const command of Object.keys(COMMANDS))
      expect(r.stdout).toMatch(new RegExp(`^\\s+${command} `, 'm'));
    expect(r.stdout).toContain('--version');
  });

  for (const [command, options] of Object.entries(COMMANDS)) {
    it(`prints the help of "${command}" with its options and exits 0`, () => {
      const r = results.get(command)!;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: synesthete ${command}`);
      for (const option of options) expect(r.stdout).toContain(option);
      expect(r.stderr).toBe('');
    });
  }

  it.each(['unknown command', 'missing argument', 'bad -k'])(
    'answers a usage error (%s) with an error line and exit 1, no stack trace',
    (name) => {
      const r = results.get(name)!;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
      expect(hasStackTrace(r.stderr)).toBe(false);
    },
  );
});
