import { readSoundManifest } from './dist/training/real-sounds.js';
const items = await readSoundManifest('data/sounds/manifest.csv');
for (const i of items.filter((x) => x.package === process.argv[2] && x.kind === process.argv[3])) console.log(i.durationS.toFixed(1), i.file.split('/').slice(-2).join('/'));
