// The search page: plain JavaScript against this server's own API. The bearer token, if the server
// wants one, is kept for this tab only (sessionStorage) and sent with every call; thumbnails are
// fetched with it and shown from blob: URLs, since an <img src> cannot carry a header.
'use strict';

const $ = (id) => document.getElementById(id);
const K = 24;
let pending = null;   // the call to repeat once a token is given

function token() { return sessionStorage.getItem('clip-token'); }

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (token()) headers.set('Authorization', 'Bearer ' + token());
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    $('token-form').hidden = false;
    $('token').focus();
    throw new Error('this server needs an access token');
  }
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error.message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function say(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

async function run(action) {
  pending = action;
  try {
    await action();
    pending = null;
  } catch (e) {
    say(e.message, true);
  }
}

function clear() {
  for (const img of document.querySelectorAll('#results img')) URL.revokeObjectURL(img.src);
  $('results').replaceChildren();
  $('classification').replaceChildren();
}

async function showResults(results, what) {
  clear();
  say(results.length ? `${results.length} images for ${what}` : `nothing found for ${what}`);
  const loads = results.map(async (r) => {
    const li = document.createElement('li');
    li.className = 'card';
    const img = document.createElement('img');
    img.alt = r.path;
    const meta = document.createElement('div');
    meta.className = 'meta';
    const path = document.createElement('span');
    path.className = 'path';
    path.textContent = r.path;
    path.title = r.path;
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = r.score.toFixed(3);
    meta.append(path, score);
    li.append(img, meta);
    $('results').append(li);
    const blob = await (await api(r.thumbnail)).blob();
    img.src = URL.createObjectURL(blob);
    await img.decode();
  });
  await Promise.all(loads);
  document.body.dataset.state = 'results';
}

async function searchText(q) {
  const response = await api('/v1/search?q=' + encodeURIComponent(q) + '&k=' + K);
  await showResults((await response.json()).results, `“${q}”`);
}

async function withImage(file) {
  $('dropped').src = URL.createObjectURL(file);
  $('dropped').hidden = false;
  const form = new FormData();
  form.append('image', file);
  const labels = $('labels').value.trim();
  if (labels) {
    form.append('labels', labels);
    const response = await api('/v1/classify', { method: 'POST', body: form });
    showClassification((await response.json()).labels, file.name);
  } else {
    form.append('k', String(K));
    const response = await api('/v1/search', { method: 'POST', body: form });
    await showResults((await response.json()).results, file.name);
  }
}

function showClassification(labels, name) {
  clear();
  say(`${name}: ${labels[0].label}`);
  for (const l of labels) {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.textContent = l.label;
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = Math.max(1, l.probability * 100) + '%';
    const p = document.createElement('span');
    p.className = 'probability';
    p.textContent = (l.probability * 100).toFixed(1) + ' %';
    li.append(label, bar, p);
    $('classification').append(li);
  }
  document.body.dataset.state = 'classified';
}

async function status() {
  const h = await (await fetch('/healthz')).json();
  $('status').textContent = `${h.model} · ${h.images_indexed} images indexed`;
}

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = $('query').value.trim();
  if (q) run(() => searchText(q));
});

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('clip-token', $('token').value.trim());
  $('token-form').hidden = true;
  say('');
  if (pending) run(pending);
});

const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer.files[0];
  if (file) run(() => withImage(file));
});
$('file').addEventListener('change', () => {
  const file = $('file').files[0];
  if (file) run(() => withImage(file));
});

status().catch((e) => say('cannot reach the server: ' + e.message, true));
