/** Features: the model's log-mel input, MFCC statistics, and descriptors for explanations. */
export { computeDescriptors, type Descriptors } from './descriptors.js';
export { type KeyEstimate, PITCH_CLASSES, type PitchClass } from './key.js';
export { computeLogMel, type LogMelSpectrogram } from './log-mel.js';
export { hzToMel, type MelFilterbank, melFilterbank, melToHz } from './mel.js';
export { mfccStatistics } from './mfcc.js';
export { describeTrack, explainSimilarity } from './reason.js';
export { frameCount, type PowerSpectrogram, powerSpectrogram } from './stft.js';
