import { readSoundManifest, soundSplit } from './dist/training/real-sounds.js';
const items = await readSoundManifest('data/sounds/manifest.csv');
for (const i of items.filter((x) => x.durationS >= 8 && !['animals','nature','machines','impacts'].includes(x.kind))) console.log(soundSplit(i.package), i.durationS.toFixed(1), i.kind, i.package, i.file.split('/').slice(-2).join('/'));
