import { decodeAudio } from './core/audio/decode.js';
import { computeLogMel } from './core/features/log-mel.js';
import { mfccStatistics } from './core/features/mfcc.js';
import { leaveOneOutPrecision, normalized } from './core/evaluation/precision.js';
import { readFileSync } from 'node:fs';
const manifest = readFileSync('../shared/fixtures/music-clips/manifest.csv', 'utf8').split('\n').slice(1).filter(Boolean);
const files = manifest.map((l) => '../shared/fixtures/music-clips/' + l.split(',')[0]);
const labels = manifest.map((l) => l.split(',')[1]!);
const p5 = (v: Float32Array[]) => leaveOneOutPrecision(v, labels, [5]).precisionAtK['5']!.toFixed(3);
const zs = (vs: Float32Array[]) => { const d = vs[0]!.length, m = new Float64Array(d), s = new Float64Array(d);
  for (const v of vs) for (let i = 0; i < d; i++) m[i] += v[i]! / vs.length;
  for (const v of vs) for (let i = 0; i < d; i++) s[i] += (v[i]! - m[i]!) ** 2 / vs.length;
  return vs.map((v) => normalized(v.map((x, i) => (x - m[i]!) / (Math.sqrt(s[i]!) || 1)))); };
for (const [sr, nFft, hop, nMels, fMax] of [[22050, 2048, 512, 128, 11025], [44100, 2048, 512, 128, 22050]] as const) {
  const specs = [];
  for (const f of files) { const d = await decodeAudio(f, { sampleRate: sr }); specs.push(computeLogMel(d.pcm, { sampleRate: sr, nFft, hopLength: hop, nMels, fMin: 0, fMax, logOffset: 1e-10 })); }
  // dB with top_db 80 relative to each track's max
  const db = specs.map((s) => { let mx = -Infinity; for (const v of s.data) mx = Math.max(mx, v); const f = 10 / Math.LN10, floor = mx - 80 / f;
    return { ...s, data: s.data.map((v) => Math.max(v, floor) * f) }; });
  for (const [name, S] of [['ln', specs], ['dB80', db]] as const) {
    const st = S.map((s) => mfccStatistics(s as any, 20));
    const noC0 = st.map((v) => Float32Array.from([...v.slice(1, 20), ...v.slice(21)]));
    const meanOnly = st.map((v) => v.slice(0, 20));
    console.log(sr, name, 'mean+std', p5(zs(st)), 'noC0', p5(zs(noC0)), 'meanOnly', p5(zs(meanOnly)), 'raw-cos', p5(st.map(normalized)));
  }
}
