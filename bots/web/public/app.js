// Synesthete web chat: plain browser JavaScript, no framework, no bundler.
// Sends a dropped/picked file or a held-to-record clip to POST /api/clip and renders the answer
// (match line, five result cards with previews and 👍 👎 "More like this", the spectrogram).
// Everything the server says is inserted as text (never as HTML).

const chat = document.getElementById('chat');
const fileInput = document.getElementById('file-input');
const dropZone = document.getElementById('drop-zone');
const overlay = document.getElementById('drag-overlay');
const recordButton = document.getElementById('record-button');
const recordTime = document.getElementById('record-time');
const recordLabel = recordButton.querySelector('.record-label');
const forgetButton = document.getElementById('forget-button');
const helpLink = document.getElementById('help-link');

const maxUploadBytes = Number(
  document.querySelector('meta[name="synesthete-max-upload-bytes"]')?.getAttribute('content'),
);

/** Shortest recording worth sending, in seconds, and the longest before it stops by itself. */
const MIN_RECORD_S = 1.5;
const MAX_RECORD_S = 30;

// ---------------------------------------------------------------- small DOM helpers

/** Creates an element with a class and optional text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollToEnd() {
  chat.scrollTo({ top: chat.scrollHeight, behavior: 'smooth' });
}

/** Appends a chat row ("user" or "bot") holding a bubble; returns the bubble. */
function addBubble(side, extraClass) {
  const row = el('div', `row ${side}`);
  const bubble = el('div', extraClass ? `bubble ${extraClass}` : 'bubble');
  row.append(bubble);
  chat.append(row);
  scrollToEnd();
  return bubble;
}

/** A bot bubble with animated dots, replaced when the answer arrives. */
function addPending(text) {
  const bubble = addBubble('bot', 'pending');
  bubble.append(el('span', 'dots', ''), el('span', 'muted', text));
  return bubble;
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function formatSeconds(seconds) {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// ---------------------------------------------------------------- talking to the server

/** Fetches JSON; a failure becomes an answer the chat can show. */
async function api(path, init) {
  try {
    const response = await fetch(path, { credentials: 'same-origin', ...init });
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('application/json')) return await response.json();
    return { kind: 'error', text: `The server answered ${response.status}. Please try again.` };
  } catch {
    return {
      kind: 'error',
      text: "I can't reach the server right now — is it still running? Please try again.",
    };
  }
}

/** Sends one clip and renders the answer under a "listening" bubble. */
async function sendClip(blob, fileName, kind) {
  if (Number.isFinite(maxUploadBytes) && blob.size > maxUploadBytes) {
    renderAnswer(addBubble('bot'), {
      kind: 'rejected',
      reason: 'too-big',
      text: `That file is too big for me (${formatBytes(blob.size)}) — please send at most ${formatBytes(maxUploadBytes)}; a 10–30 second clip is plenty.`,
    });
    return;
  }
  const pending = addPending('Listening…');
  const answer = await api('/api/clip', {
    method: 'POST',
    body: blob,
    headers: {
      'Content-Type': blob.type || 'application/octet-stream',
      'X-File-Name': encodeURIComponent(fileName),
      'X-Clip-Kind': kind,
    },
  });
  renderAnswer(pending, answer);
}

// ---------------------------------------------------------------- rendering answers

const NOTICE_ICONS = {
  'not-music': '🎧',
  'too-big': '📦',
  'too-long': '⏱️',
  'too-short': '⏱️',
  empty: '🤔',
  'not-audio': '🤔',
  unreadable: '🤔',
};

/** Fills `bubble` (a bot bubble, possibly the pending one) with an answer. */
function renderAnswer(bubble, answer) {
  bubble.className = 'bubble';
  bubble.replaceChildren();
  switch (answer.kind) {
    case 'results':
      bubble.classList.add('answer');
      renderResults(bubble, answer);
      break;
    case 'ack':
    case 'help':
      bubble.classList.add(answer.kind === 'help' ? 'help' : 'ack');
      bubble.append(el('p', 'prewrap', answer.text));
      break;
    case 'rejected':
      bubble.classList.add('notice');
      bubble.append(el('span', 'notice-icon', NOTICE_ICONS[answer.reason] ?? '🤔'));
      bubble.append(el('p', 'prewrap', answer.text));
      break;
    case 'busy':
    case 'rate-limited':
      bubble.classList.add('notice');
      bubble.append(el('span', 'notice-icon', '⏳'));
      bubble.append(el('p', 'prewrap', answer.text));
      break;
    default:
      bubble.classList.add('notice', 'error');
      bubble.append(el('span', 'notice-icon', '⚠️'));
      bubble.append(el('p', 'prewrap', answer.text ?? 'Something went wrong. Please try again.'));
  }
  scrollToEnd();
}

function renderResults(bubble, answer) {
  if (answer.match) {
    const line = el('p', 'match-line');
    line.append('This sounds like ', el('strong', '', answer.match.label), ' 🎶');
    bubble.append(line);
  }
  if (answer.heading) bubble.append(el('p', 'heading', answer.heading));
  const intro = answer.match
    ? 'Here are five more that sound like it:'
    : answer.heading
      ? ''
      : 'Here are the tracks that sound most like your clip:';
  if (intro) bubble.append(el('p', 'intro', intro));
  if (answer.summary || answer.feedbackApplied) {
    const meta = el('p', 'summary');
    if (answer.summary) meta.append(el('span', 'chip', `🎛️ ${answer.summary}`));
    if (answer.feedbackApplied) meta.append(el('span', 'chip accent', '✨ tuned by your 👍/👎'));
    bubble.append(meta);
  }
  const list = el('ol', 'results');
  for (const item of answer.results) list.append(renderCard(item));
  bubble.append(list);
  if (answer.spectrogramUrl) {
    const figure = el('figure', 'spectrogram');
    const img = el('img');
    img.src = answer.spectrogramUrl;
    img.alt = 'Log-mel spectrogram of your clip';
    img.loading = 'lazy';
    img.addEventListener('load', scrollToEnd, { once: true });
    figure.append(img, el('figcaption', '', 'What I heard — the log-mel spectrogram of your clip'));
    bubble.append(figure);
  }
}

function renderCard(item) {
  const card = el('li', 'result-card');
  card.dataset.trackId = String(item.trackId);
  const rank = el('span', 'rank', String(item.rank));
  const body = el('div', 'card-body');

  const titleRow = el('div', 'title-row');
  const title = el('span', 'title');
  if (item.title) {
    title.append(el('strong', '', item.title));
    if (item.artist) title.append(el('span', 'artist', ` — ${item.artist}`));
  } else {
    title.append(el('strong', '', item.label));
  }
  const percent = Math.max(0, Math.round(item.similarity * 100));
  const similarity = el('span', 'similarity', `${percent}%`);
  similarity.title = `Similarity ${item.similarity.toFixed(3)} · confidence ${Math.round(item.confidence * 100)}%`;
  titleRow.append(title, similarity);
  body.append(titleRow);

  const meter = el('div', 'meter');
  const fill = el('span');
  fill.style.width = `${Math.min(100, percent)}%`;
  meter.append(fill);
  body.append(meter);

  if (item.reason) body.append(el('p', 'reason', item.reason));

  const controls = el('div', 'card-controls');
  if (item.audioUrl) {
    const audio = el('audio');
    audio.controls = true;
    audio.preload = 'metadata';
    audio.src = item.audioUrl;
    controls.append(audio);
  }
  const actions = el('div', 'actions');
  const status = el('p', 'card-status');
  const up = voteButton('👍', 'up', item, 'I like this', status, card);
  const down = voteButton('👎', 'down', item, 'Not for me', status, card);
  const more = voteButton('More like this', 'more', item, 'More like this', status, card);
  more.classList.add('more');
  const mix = el('button', 'vote', '+ Mix');
  mix.type = 'button';
  mix.title = 'Add to my mix: tracks that suit the last three clips or picks together';
  mix.setAttribute('aria-label', `Add to my mix: ${item.label}`);
  mix.addEventListener('click', async () => {
    const answer = await api('/api/mix', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ add: item.trackId }),
    });
    status.textContent = answer.text ?? '';
    status.classList.toggle('error', answer.kind !== 'ack');
  });
  actions.append(up, down, more, mix);
  controls.append(actions);
  body.append(controls, status);

  card.append(rank, body);
  return card;
}

function voteButton(label, vote, item, title, status, card) {
  const button = el('button', 'vote', label);
  button.type = 'button';
  button.title = title;
  button.dataset.vote = vote;
  button.setAttribute('aria-label', `${title}: ${item.label}`);
  button.addEventListener('click', async () => {
    if (vote === 'more') {
      const pending = addPending(`Finding more like ${item.label}…`);
      renderAnswer(pending, await api('/api/vote', voteInit(item.trackId, vote)));
      return;
    }
    button.disabled = true;
    const answer = await api('/api/vote', voteInit(item.trackId, vote));
    button.disabled = false;
    for (const other of card.querySelectorAll(
      'button.vote[data-vote="up"], button.vote[data-vote="down"]',
    )) {
      other.setAttribute('aria-pressed', String(other === button && answer.kind === 'ack'));
    }
    status.textContent = answer.text ?? '';
    status.classList.toggle('error', answer.kind !== 'ack');
  });
  return button;
}

function voteInit(trackId, vote) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ trackId, vote }),
  };
}

/** The user's side of the conversation: what was sent, playable. */
function addUserClip(blob, caption) {
  const bubble = addBubble('user', 'clip');
  bubble.append(el('p', 'clip-caption', caption));
  const audio = el('audio');
  audio.controls = true;
  audio.src = URL.createObjectURL(blob);
  bubble.append(audio);
}

// ---------------------------------------------------------------- files: picker and drop

function sendFile(file) {
  addUserClip(file, `🎵 ${file.name} · ${formatBytes(file.size)}`);
  void sendClip(file, file.name, 'audio');
}

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = '';
  if (file) sendFile(file);
});

let dragDepth = 0;
window.addEventListener('dragenter', (event) => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  event.preventDefault();
  dragDepth += 1;
  overlay.hidden = false;
  dropZone.classList.add('dragging');
});
window.addEventListener('dragover', (event) => {
  if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) {
    overlay.hidden = true;
    dropZone.classList.remove('dragging');
  }
});
window.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  dropZone.classList.remove('dragging');
  const file = event.dataTransfer?.files?.[0];
  if (file) sendFile(file);
});

// ---------------------------------------------------------------- hold to record

const RECORDER_TYPES = [
  'audio/webm;codecs=opus',
  'audio/ogg;codecs=opus',
  'audio/webm',
  'audio/ogg',
  'audio/mp4',
];

/** idle → starting → recording → idle; `released` remembers a release during "starting". */
const recording = {
  state: 'idle',
  released: false,
  recorder: null,
  stream: null,
  chunks: [],
  startedAt: 0,
  timer: 0,
};

function extensionFor(type) {
  if (type.includes('ogg')) return 'ogg';
  if (type.includes('mp4')) return 'm4a';
  return 'webm';
}

async function startRecording() {
  if (recording.state !== 'idle') return;
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
    renderAnswer(addBubble('bot'), {
      kind: 'error',
      text: "This browser can't record here — try dropping a file instead.",
    });
    return;
  }
  recording.state = 'starting';
  recording.released = false;
  recordButton.classList.add('starting');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch {
    recording.state = 'idle';
    recordButton.classList.remove('starting');
    renderAnswer(addBubble('bot'), {
      kind: 'error',
      text: "I couldn't use your microphone — please allow it in the browser, or drop a file instead.",
    });
    return;
  }
  const mimeType = RECORDER_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  recording.stream = stream;
  recording.recorder = recorder;
  recording.chunks = [];
  recorder.addEventListener('dataavailable', (event) => {
    if (event.data.size > 0) recording.chunks.push(event.data);
  });
  recorder.addEventListener('stop', finishRecording);
  recorder.start(250);
  recording.state = 'recording';
  recording.startedAt = performance.now();
  recordButton.classList.remove('starting');
  recordButton.classList.add('recording');
  recordButton.setAttribute('aria-pressed', 'true');
  recordLabel.textContent = 'Release to send';
  recordTime.textContent = '0:00';
  recording.timer = window.setInterval(() => {
    const seconds = (performance.now() - recording.startedAt) / 1000;
    recordTime.textContent = formatSeconds(seconds);
    if (seconds >= MAX_RECORD_S) stopRecording();
  }, 200);
  if (recording.released) stopRecording();
}

function stopRecording() {
  if (recording.state === 'starting') {
    recording.released = true;
    return;
  }
  if (recording.state !== 'recording') return;
  recording.state = 'stopping';
  window.clearInterval(recording.timer);
  recording.recorder.stop();
}

function finishRecording() {
  const seconds = (performance.now() - recording.startedAt) / 1000;
  for (const track of recording.stream.getTracks()) track.stop();
  const type = recording.recorder.mimeType || 'audio/webm';
  const blob = new Blob(recording.chunks, { type });
  recording.state = 'idle';
  recording.recorder = null;
  recording.stream = null;
  recording.chunks = [];
  recordButton.classList.remove('recording');
  recordButton.setAttribute('aria-pressed', 'false');
  recordLabel.textContent = 'Hold to record';
  recordTime.textContent = '0:00';
  if (seconds < MIN_RECORD_S || blob.size === 0) {
    renderAnswer(addBubble('bot'), {
      kind: 'rejected',
      reason: 'too-short',
      text: 'Hold the button a little longer — a few seconds of music (5–15 s) works best.',
    });
    return;
  }
  addUserClip(blob, `🎙️ Recording · ${Math.round(seconds)} s`);
  void sendClip(blob, `recording.${extensionFor(type)}`, 'voice');
}

recordButton.addEventListener('pointerdown', (event) => {
  if (event.button !== 0) return;
  event.preventDefault();
  recordButton.setPointerCapture(event.pointerId);
  void startRecording();
});
recordButton.addEventListener('pointerup', stopRecording);
recordButton.addEventListener('pointercancel', stopRecording);
recordButton.addEventListener('contextmenu', (event) => event.preventDefault());
recordButton.addEventListener('keydown', (event) => {
  if ((event.key === ' ' || event.key === 'Enter') && !event.repeat) {
    event.preventDefault();
    void startRecording();
  }
});
recordButton.addEventListener('keyup', (event) => {
  if (event.key === ' ' || event.key === 'Enter') stopRecording();
});

// ---------------------------------------------------------------- commands

async function showHelp() {
  const userBubble = addBubble('user', 'command');
  userBubble.append(el('p', '', '/help'));
  const pending = addPending('');
  renderAnswer(pending, await api('/api/help'));
}

helpLink.addEventListener('click', (event) => {
  event.preventDefault();
  void showHelp();
});

document.getElementById('mix-button')?.addEventListener('click', async () => {
  const userBubble = addBubble('user', 'command');
  userBubble.append(el('p', '', '/mix'));
  const pending = addPending('Mixing your last clips…');
  renderAnswer(pending, await api('/api/mix', { method: 'POST' }));
});

forgetButton.addEventListener('click', async () => {
  const userBubble = addBubble('user', 'command');
  userBubble.append(el('p', '', '/forget'));
  const pending = addPending('');
  const answer = await api('/api/forget', { method: 'POST' });
  renderAnswer(pending, answer);
  for (const button of document.querySelectorAll('button.vote[aria-pressed]')) {
    button.removeAttribute('aria-pressed');
  }
  for (const status of document.querySelectorAll('.card-status')) status.textContent = '';
});

if (location.hash === '#help') void showHelp();
