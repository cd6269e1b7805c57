/** `synesthete evaluate`: leave-one-out precision@k of the catalogue against labels. */
import { type Command, Option } from 'commander';
import {
  type CommonOptions,
  engineFrom,
  positiveInt,
  reportError,
  withCommonOptions,
} from '../common.js';

interface EvaluateCliOptions extends CommonOptions {
  labels: string;
  labelColumn: string;
  excludeSame?: string;
  k: number;
  json?: boolean;
  baseline?: boolean;
  identify?: boolean;
  clips?: boolean;
  clipMap?: boolean;
  variety?: boolean;
  chain: 'voice-note' | 'opus';
  nonMusic?: string;
  seed: number;
}

const pct = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));

/** Registers the command. */
export function registerEvaluate(program: Command): void {
  withCommonOptions(
    program
      .command('evaluate')
      .description(
        'leave-one-out evaluation: how often a track’s nearest neighbours share its label',
      )
      .requiredOption(
        '--labels <csv>',
        'CSV with a "file" column (paths as given to ingest, or relative to the CSV) and label columns',
      )
      .option('--label-column <column>', 'column holding the label', 'label')
      .option(
        '--exclude-same <column>',
        'remove candidates sharing this column with the query (e.g. artist)',
      )
      .option('-k, --k <n>', 'cut-off reported besides 1, 5 and 10', positiveInt, 5)
      .option('--baseline', 'also compute the MFCC-statistics + cosine baseline on the same files')
      .option(
        '--identify',
        'also test identification: a 10 s excerpt of each track, passed through the voice-note chain, must be named as the match',
      )
      .option(
        '--clips',
        'also measure discovery: a 10 s voice-note excerpt of each track is recommended against the catalogue without that track; precision@k of the answers beside the leave-one-out figure and beside what `similar` answers for the track under the same variety rules',
      )
      .option(
        '--no-clip-map',
        "with --clips: search the excerpts' own vectors, not moved by the clip map learned from the catalogue's voice-note views",
      )
      .option(
        '--no-variety',
        'with --clips: no caps of 2 tracks per artist and per album on the answers (the ranking alone)',
      )
      .addOption(
        new Option(
          '--chain <chain>',
          'what identification excerpts go through: "voice-note" (band-limit 200 Hz–7 kHz, pink noise at 10 dB SNR, room reflections, 24 kbps Opus) or "opus" (re-encoding only)',
        )
          .choices(['voice-note', 'opus'])
          .default('voice-note'),
      )
      .option(
        '--non-music <dir>',
        'also test the music gate on a folder of clips that are not music (talking, noise, silence); kind = file name up to the first "-"',
      )
      .option('--seed <n>', 'seed of excerpt positions and chain noise', positiveInt, 1)
      .option('--json', 'print one JSON object'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  synesthete ingest data/demo/tracks\n' +
        '  synesthete evaluate --labels data/demo/labels.csv --label-column label --baseline --identify',
    )
    .action(async (options: EvaluateCliOptions) => {
      try {
        const { evaluateCatalog } = await import('../../core/evaluation/evaluate-catalog.js');
        const engine = await engineFrom(options, true);
        try {
          const report = await evaluateCatalog(engine, {
            labelsCsv: options.labels,
            labelColumn: options.labelColumn,
            ...(options.excludeSame ? { excludeSame: options.excludeSame } : {}),
            k: options.k,
            baseline: options.baseline ?? false,
            identify: options.identify ?? false,
            clips: options.clips ?? false,
            ...(options.clipMap === false ? { clipMap: false } : {}),
            ...(options.variety === false
              ? { variety: { maxPerArtist: Infinity, maxPerAlbum: Infinity } }
              : {}),
            chain: options.chain,
            seed: options.seed,
            ...(options.nonMusic ? { nonMusicDir: options.nonMusic } : {}),
            onProgress: (stage, done, total) => {
              if (process.stderr.isTTY) process.stderr.write(`\r${stage} ${done + 1}/${total}   `);
            },
          });
          if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
          if (options.json) {
            process.stdout.write(`${JSON.stringify(report)}\n`);
            return;
          }
          const p = report.precisionAtK;
          const lines = [
            `${report.n} tracks, label column "${report.labelColumn}"${report.excludeSame ? `, excluding same ${report.excludeSame}` : ''}`,
            `precision@1 ${pct(p['1'])}   precision@5 ${pct(p['5'])}   precision@10 ${pct(p['10'])}   (chance ${pct(report.chance)})`,
          ];
          if (report.baseline) {
            const b = report.baseline.mfcc.precisionAtK;
            lines.push(
              `MFCC-statistics baseline: precision@1 ${pct(b['1'])}   precision@5 ${pct(b['5'])}   precision@10 ${pct(b['10'])}`,
            );
          }
          lines.push('per label:');
          for (const [label, e] of Object.entries(report.perLabel)) {
            lines.push(
              `  ${label.padEnd(24)} n=${String(e.n).padStart(3)}  precision@${report.k} ${pct(e.precisionAtK[String(report.k)])}`,
            );
          }
          if (report.identification) {
            const id = report.identification;
            lines.push(
              `identification of ${id.n} ${id.excerptSeconds} s excerpts (${id.chain}): top-1 ${pct(id.top1Rate)}, named as the match ${pct(id.rate)}, another track named ${pct(id.falseMatchRate)}`,
            );
            for (const m of id.misses) {
              const got = m.notMusic
                ? 'taken for non-music'
                : m.got
                  ? `matched ${m.got}`
                  : 'no match';
              lines.push(`  missed ${m.file}: ${got}`);
            }
          }
          if (report.clips) {
            const c = report.clips;
            lines.push(
              `discovery: ${c.n} ${c.excerptSeconds} s voice-note excerpts against the catalogue without their track: precision@${report.k} ${pct(c.precisionAtK)} (${pct(c.ratioToCatalog)} × the leave-one-out figure; ${c.notMusic} taken for non-music, ${c.namedOther} named as another track; ${c.clipMapPairs ? `clip map of ${c.clipMapPairs.join(' / ')} voice-note views` : 'no clip map'})`,
              `  the tracks' own answers (\`similar\`) under the same rules (${Number.isFinite(c.variety.maxPerArtist) || Number.isFinite(c.variety.maxPerAlbum) ? `at most ${c.variety.maxPerArtist} per artist and ${c.variety.maxPerAlbum} per album` : 'no artist or album caps'}): precision@${report.k} ${pct(c.catalogAnswers.precisionAtK)}; the excerpts' ${pct(c.catalogAnswers.ratio)} × that`,
            );
          }
          const gate = report.musicGate;
          if (gate?.musicAccepted) {
            lines.push(
              `music gate: accepted ${pct(gate.musicAccepted.rate)} of ${gate.musicAccepted.n} music excerpts`,
            );
          }
          if (gate?.nonMusicRejected) {
            const r = gate.nonMusicRejected;
            const kinds = Object.entries(r.byKind)
              .map(([k, v]) => `${k} ${pct(v.rate)} (n=${v.n})`)
              .join(', ');
            lines.push(`music gate: rejected ${pct(r.rate)} of ${r.n} non-music clips: ${kinds}`);
          }
          lines.push(
            'confidence reliability (top-10 neighbours): bin  n  mean confidence  observed',
          );
          for (const b of report.reliability) {
            if (b.n > 0)
              lines.push(`  ${b.bin}  ${b.n}  ${pct(b.meanConfidence)}  ${pct(b.observed)}`);
          }
          if (report.missing.length > 0)
            lines.push(`${report.missing.length} files of the CSV are not in the catalogue`);
          process.stdout.write(`${lines.join('\n')}\n`);
        } finally {
          await engine.close();
        }
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
