/**
 * The `synesthete` command line: ingest music, recommend for clips, list neighbours, evaluate,
 * train, and check the installation. Imported by cli/main.ts once it knows the command runs in
 * this process.
 */
import module from 'node:module';
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

// Node's on-disk compile cache (Node ≥ 22.1; in `os.tmpdir()/node-compile-cache`, or where
// `NODE_COMPILE_CACHE` says; `NODE_DISABLE_COMPILE_CACHE=1` turns it off) for the engine's modules,
// which the commands import on demand after this line: docs/benchmarks.md has the cold start with
// and without it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
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
