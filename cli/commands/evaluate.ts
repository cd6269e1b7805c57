/** `synesthete evaluate`: leave-one-out precision@k of the catalogue against labels. */
import type { Command } from 'commander';
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
        'also test identification: 10 s excerpts as 24 kbps mono Opus voice notes must be named as the match',
      )
      .option('--json', 'print one JSON object'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  synesthete ingest ../shared/fixtures/music-clips\n' +
        '  synesthete evaluate --labels ../shared/fixtures/music-clips/manifest.csv --label-column label --baseline --identify',
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
              `identification: ${id.matched}/${id.n} ${id.excerptSeconds} s excerpts (${id.bitrateKbps} kbps Opus) named as the match (${pct(id.rate)})`,
            );
            for (const m of id.misses)
              lines.push(`  missed ${m.file}: ${m.got ? `matched ${m.got}` : 'no match'}`);
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
