// Synesthete web chat: plain browser JavaScript, no framework, no bundler.
// Sends a dropped/picked file or a held-to-record clip to POST /api/clip and renders the answer
// (match line, five result cards with previews and 👍 👎 "More like this", the spectrogram).
// The catalogue map (GET /api/map) is drawn as SVG: hover a dot for its name, click it to play it.
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
  if (answer.results.length > 0) {
    const show = el('button', 'vote map-show', '🗺 Show on the map');
    show.type = 'button';
    show.title = 'Where this clip and its five sit among all the catalogue’s tracks';
    show.addEventListener('click', () => void openMap(answer.answerId));
    bubble.append(show);
  }
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

// ---------------------------------------------------------------- the catalogue map

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The SVG's coordinate box (points come in [0, 1]², y down) and its margin. */
const MAP_SIZE = 1000;
const MAP_PAD = 40;

const mapPanel = document.getElementById('map-panel');
const mapSvg = document.getElementById('map-svg');
const mapStage = document.getElementById('map-stage');
const mapTooltip = document.getElementById('map-tooltip');
const mapStatus = document.getElementById('map-status');
const mapLegend = document.getElementById('map-legend');
const mapQuery = document.getElementById('map-query');
const mapPick = document.getElementById('map-pick');
const mapZoom = document.getElementById('map-zoom');
const mapClose = document.getElementById('map-close');
const mapSubtitle = document.getElementById('map-subtitle');

/**
 * The map on show: the server's view, its points by id, the part of it drawn (`window`, in the
 * points' [0, 1]² units: all of it, or zoomed to the five), and the track picked.
 */
const WHOLE = { x: 0, y: 0, size: 1 };
const mapState = { view: null, byId: new Map(), window: WHOLE, fiveWindow: null, picked: null };

function svgEl(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** SVG coordinates of a point, in the window on show (markers keep their size when zoomed). */
const mapX = (x) =>
  MAP_PAD + ((x - mapState.window.x) / mapState.window.size) * (MAP_SIZE - 2 * MAP_PAD);
const mapY = (y) =>
  MAP_PAD + ((y - mapState.window.y) / mapState.window.size) * (MAP_SIZE - 2 * MAP_PAD);

/** Dot radius (SVG units) and opacity for n dots: large and solid for a few, small and faint for thousands. */
function dotLook(n) {
  const radius = Math.min(9, Math.max(2.6, 260 / Math.sqrt(Math.max(1, n))));
  const opacity = Math.min(0.9, Math.max(0.35, 0.9 - 0.25 * Math.log10(Math.max(1, n / 300))));
  return { radius, opacity };
}

async function openMap(answerId) {
  mapPanel.hidden = false;
  document.body.classList.add('map-open');
  mapSvg.replaceChildren();
  mapLegend.replaceChildren();
  mapQuery.hidden = true;
  mapPick.hidden = true;
  mapZoom.hidden = true;
  mapTooltip.hidden = true;
  mapStatus.hidden = false;
  mapStatus.textContent = 'Drawing the map…';
  mapClose.focus();
  const query = answerId ? `?answer=${encodeURIComponent(answerId)}` : '';
  const view = await api(`/api/map${query}`);
  if (view.kind !== 'map') {
    mapStatus.textContent = view.text ?? 'The map is not available right now.';
    return;
  }
  mapStatus.hidden = true;
  showMap(view);
}

function closeMap() {
  mapPanel.hidden = true;
  document.body.classList.remove('map-open');
  for (const audio of mapPick.querySelectorAll('audio')) audio.pause();
}

/** Takes a new view: legend, the five listed, the zoom window; then draws it whole. */
function showMap(view) {
  mapState.view = view;
  mapState.byId = new Map(view.points.map((p) => [p.id, p]));
  mapState.window = WHOLE;
  mapState.fiveWindow = null;
  mapState.picked = null;
  const count = view.points.length;
  mapSubtitle.textContent = `${count.toLocaleString('en-US')} tracks; similar ones sit close together, coloured by ${view.colouredBy ?? 'genre tag'}.`;
  for (const entry of view.legend) {
    const item = el('li', 'map-legend-item');
    const swatch = el('span', 'swatch');
    swatch.style.background = entry.colour;
    item.append(swatch, el('span', '', entry.label), el('span', 'muted', ` ${entry.count}`));
    mapLegend.append(item);
  }
  if (view.query) listQuery(view.query);
  renderMap();
}

/** True when the five sit so close to the star that the whole map cannot tell them apart. */
const fivePacked = () =>
  mapState.window === WHOLE && mapState.fiveWindow !== null && mapState.fiveWindow.size < 0.12;

/** Draws the window on show: the dots in it, the query and its five, the picked track. */
function renderMap() {
  const { view, window: w } = mapState;
  mapSvg.replaceChildren();
  const margin = w.size * 0.05;
  const visible = view.points.filter(
    (p) =>
      p.x >= w.x - margin &&
      p.x <= w.x + w.size + margin &&
      p.y >= w.y - margin &&
      p.y <= w.y + w.size + margin,
  );
  const look = dotLook(visible.length);
  const dots = svgEl('g', { class: 'map-dots', 'fill-opacity': look.opacity });
  for (const p of visible) {
    dots.append(
      svgEl('circle', {
        class: 'map-dot',
        cx: mapX(p.x).toFixed(1),
        cy: mapY(p.y).toFixed(1),
        r: look.radius,
        fill: p.colour,
        'data-id': p.id,
      }),
    );
  }
  mapSvg.append(dots);
  if (view.query) drawQuery(view.query, look.radius);
  const picked = mapState.byId.get(mapState.picked);
  const ring = svgEl('g', { class: 'map-picked' });
  if (picked) {
    ring.append(
      svgEl('circle', { cx: mapX(picked.x), cy: mapY(picked.y), r: 16, class: 'map-pick-ring' }),
    );
  }
  mapSvg.append(ring);
}

/** The query beside the map: its name and its five, each a button that picks the track. */
function listQuery(query) {
  mapQuery.replaceChildren();
  const heading = el('p', 'map-query-title');
  heading.append(el('span', 'star-icon', '★ '), el('strong', '', query.label));
  const list = el('ol', 'map-five');
  for (const r of query.results) {
    const item = el('li');
    const button = el('button', 'link-like', r.label);
    button.type = 'button';
    button.addEventListener('click', () => pickTrack(r.id));
    item.append(button);
    list.append(item);
  }
  mapQuery.append(heading, list);
  mapQuery.hidden = false;

  // The square around the star that holds the five, to zoom to.
  const placed = query.results.map((r) => mapState.byId.get(r.id)).filter(Boolean);
  const reach = Math.max(
    0.003,
    ...placed.map((p) => Math.max(Math.abs(p.x - query.x), Math.abs(p.y - query.y))),
  );
  const half = reach * 1.6;
  mapState.fiveWindow = { x: query.x - half, y: query.y - half, size: 2 * half };
  mapZoom.hidden = placed.length === 0 || 2 * half > 0.5;
  mapZoom.textContent = 'Zoom to the five';
  mapZoom.classList.toggle('accent', fivePacked());
}

/**
 * The query as a star, its five ringed, numbered and joined to it — on the whole map only the
 * star when the five sit too close to it to tell apart ("Zoom to the five" shows them).
 */
function drawQuery(query, radius) {
  const layer = svgEl('g', { class: 'map-query-layer' });
  const [qx, qy] = [mapX(query.x), mapY(query.y)];
  const packed = fivePacked();
  query.results.forEach((r, i) => {
    const p = mapState.byId.get(r.id);
    if (!p || packed) return;
    const [x, y] = [mapX(p.x), mapY(p.y)];
    layer.append(
      svgEl('line', { x1: qx, y1: qy, x2: x, y2: y, class: 'map-link' }),
      svgEl('circle', {
        cx: x,
        cy: y,
        r: radius + 1,
        fill: p.colour,
        class: 'map-dot map-result-dot',
        'data-id': p.id,
      }),
      svgEl('circle', { cx: x, cy: y, r: radius + 9, class: 'map-ring' }),
    );
    const label = svgEl('text', { x: x + radius + 12, y: y - radius - 6, class: 'map-rank' });
    label.textContent = String(i + 1);
    layer.append(label);
  });
  const star = svgEl('path', { class: 'map-star', d: starPath(qx, qy, 20) });
  const title = svgEl('title', {});
  title.textContent = query.label;
  star.append(title);
  layer.append(star);
  mapSvg.append(layer);
}

/** A five-pointed star around (x, y) with outer radius r. */
function starPath(x, y, r) {
  const points = [];
  for (let i = 0; i < 10; i++) {
    const angle = (Math.PI / 5) * i - Math.PI / 2;
    const radius = i % 2 === 0 ? r : r * 0.45;
    points.push(
      `${(x + radius * Math.cos(angle)).toFixed(1)},${(y + radius * Math.sin(angle)).toFixed(1)}`,
    );
  }
  return `M ${points.join(' L ')} Z`;
}

/** Shows a track beside the map and plays its preview. */
function pickTrack(id) {
  const p = mapState.byId.get(id);
  if (!p) return;
  mapState.picked = id;
  const ring = mapSvg.querySelector('.map-picked');
  ring?.replaceChildren(
    svgEl('circle', { cx: mapX(p.x), cy: mapY(p.y), r: 16, class: 'map-pick-ring' }),
  );
  mapPick.replaceChildren();
  const title = el('p', 'map-pick-title');
  title.append(el('strong', '', p.label));
  if (p.genre) {
    const chip = el('span', 'chip', p.genre);
    chip.style.borderColor = p.colour;
    title.append(' ', chip);
  }
  const audio = el('audio');
  audio.controls = true;
  audio.preload = 'auto';
  audio.src = `/api/tracks/${p.id}/audio`;
  const note = el('p', 'muted map-pick-note', '');
  audio.addEventListener('error', () => {
    note.textContent = 'No preview for this track — its file is not here.';
  });
  audio.play().catch(() => undefined);
  const more = el('button', 'vote more', 'More like this');
  more.type = 'button';
  more.addEventListener('click', async () => {
    closeMap();
    const pending = addPending(`Finding more like ${p.label}…`);
    renderAnswer(pending, await api('/api/vote', voteInit(p.id, 'more')));
  });
  mapPick.append(title, audio, note, more);
  mapPick.hidden = false;
}

mapSvg.addEventListener('pointermove', (event) => {
  const dot = event.target.closest?.('.map-dot');
  const p = dot ? mapState.byId.get(Number(dot.getAttribute('data-id'))) : undefined;
  if (!p) {
    mapTooltip.hidden = true;
    return;
  }
  const box = mapStage.getBoundingClientRect();
  mapTooltip.replaceChildren(el('strong', '', p.label));
  if (p.genre) mapTooltip.append(el('span', 'muted', ` · ${p.genre}`));
  mapTooltip.hidden = false;
  const left = Math.min(event.clientX - box.left + 14, box.width - mapTooltip.offsetWidth - 8);
  mapTooltip.style.left = `${Math.max(8, left)}px`;
  // Below and right of the pointer (the rank numbers sit above and right of their dots); above
  // it near the bottom edge.
  const below = event.clientY - box.top + 18;
  const top =
    below + mapTooltip.offsetHeight > box.height - 8
      ? event.clientY - box.top - mapTooltip.offsetHeight - 12
      : below;
  mapTooltip.style.top = `${Math.max(8, top)}px`;
});
mapSvg.addEventListener('pointerleave', () => {
  mapTooltip.hidden = true;
});
mapSvg.addEventListener('click', (event) => {
  const dot = event.target.closest?.('.map-dot');
  if (dot) pickTrack(Number(dot.getAttribute('data-id')));
});
mapZoom.addEventListener('click', () => {
  const zoomed = mapState.window !== WHOLE;
  mapState.window = zoomed ? WHOLE : mapState.fiveWindow;
  mapZoom.textContent = zoomed ? 'Zoom to the five' : 'Whole map';
  mapZoom.classList.toggle('accent', fivePacked());
  mapTooltip.hidden = true;
  renderMap();
});
mapClose.addEventListener('click', closeMap);
mapPanel.addEventListener('click', (event) => {
  if (event.target === mapPanel) closeMap();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !mapPanel.hidden) closeMap();
});
document.getElementById('map-button')?.addEventListener('click', () => void openMap());

if (location.hash === '#help') void showHelp();
