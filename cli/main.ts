#!/usr/bin/env node
/**
 * The `synesthete` command line: ingest music, recommend for clips, list neighbours, evaluate,
 * train, and check the installation.
 */
import { Command } from 'commander';
import { installResolveShortcut } from '../core/util/resolve-hook.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerIngest } from './commands/ingest.js';
import { registerMap } from './commands/map.js';
import { registerQueue } from './commands/queue.js';
import { registerRecommend } from './commands/recommend.js';
import { registerSimilar } from './commands/similar.js';
import { registerTrain } from './commands/train.js';

// Before any command imports the engine (drizzle-orm): see core/util/resolve-hook.ts.
installResolveShortcut();

const program = new Command()
  .name('synesthete')
  .description(
    'A music recommender that listens: send it a clip, get the most similar tracks of your catalogue.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    '\nQuick start:\n  synesthete ingest data/demo/tracks\n  synesthete recommend data/demo/queries/voice-note.ogg\n' +
      '\nEnvironment: DATABASE_URL (catalogue), SYNESTHETE_MODEL_DIR (model), FFMPEG_PATH (ffmpeg binary).',
  );

registerIngest(program);
registerRecommend(program);
registerSimilar(program);
registerEvaluate(program);
registerMap(program);
registerTrain(program);
registerQueue(program);
registerDoctor(program);

await program.parseAsync(process.argv);
