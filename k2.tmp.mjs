import { readSoundManifest, soundSplit } from './dist/training/real-sounds.js';
const items = await readSoundManifest('data/sounds/manifest.csv');
for (const i of items.filter((x) => soundSplit(x.package) === 'test' && x.durationS >= 10)) console.log(i.durationS.toFixed(1), i.kind, i.package, i.file.split('/').slice(-2).join('/'));
