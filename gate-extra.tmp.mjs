// Scratch: a larger draw of real test recordings (another seed), measured for several gates.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveFfmpeg } from './dist/core/audio/ffmpeg.js';
import { loadEmbeddingModel } from './dist/core/model/embedder.js';
import { measureGate } from './dist/training/gate-report.js';
import { readSoundManifest, realSoundVoiceNotes, soundSplit } from './dist/training/real-sounds.js';
const [count, seed, ...models] = process.argv.slice(2);
const dir = `/tmp/gate-extra-${seed}`;
if (!existsSync(path.join(dir, 'done'))) {
  await mkdir(dir, { recursive: true });
  const items = (await readSoundManifest('data/sounds/manifest.csv')).filter((i) => soundSplit(i.package) === 'test');
  const notes = await realSoundVoiceNotes(items, Number(count), 10, (await resolveFfmpeg()).path, Number(seed));
  for (const [i, n] of notes.entries()) await writeFile(path.join(dir, `${n.kind}-${n.package}-${String(i).padStart(3, '0')}.ogg`), n.ogg);
  await writeFile(path.join(dir, 'done'), '');
}
for (const m of models) {
  const model = await loadEmbeddingModel(m);
  const g = await measureGate(model, 'data/eval/gate-music', dir);
  const kinds = Object.entries(g.nonMusicRejected.byKind).map(([k, v]) => `${k} ${v.rate.toFixed(3)}/${v.n}`).join('  ');
  console.log(m, 'music', g.musicAccepted.rate, 'rejected', JSON.stringify(g.nonMusicRejected.rate ?? ''), '\n  ', kinds);
  model.dispose();
}
